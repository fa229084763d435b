/**
 * The fixed Python of the exported PyTorch project (project.ts adds the generated parts: the network
 * descriptions, the settings, the constants). Kept as text so the engine ships it without a bundler
 * plugin; nothing here may contain a backtick or a dollar-brace.
 */

/** safetensors_io.py: the whole file */
export const SAFETENSORS_IO_PY = String.raw`"""A tiny reader/writer of the safetensors format (8-byte little-endian header length, a JSON header,
raw little-endian tensors), so the project needs no package beyond PyTorch and numpy."""
import json
import struct

import numpy as np
import torch

_DTYPES = {"F32": np.float32, "I64": np.int64}


def load_file(path):
    """Every tensor of a .safetensors file as a dict name -> torch.Tensor (on the CPU)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    data = blob[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        arr = np.frombuffer(data[begin:end], dtype=dtype).astype(dtype.newbyteorder("="))
        out[name] = torch.from_numpy(arr.reshape(info["shape"]).copy())
    return out


def load_metadata(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n).decode("utf-8")).get("__metadata__", {})


def save_file(tensors, path, metadata=None):
    """Writes float32 / int64 tensors (a dict name -> tensor) in the safetensors layout."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    chunks = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        kind = "I64" if t.dtype == torch.int64 else "F32"
        raw = t.numpy().astype("<i8" if kind == "I64" else "<f4").tobytes()
        header[name] = {"dtype": kind, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for c in chunks:
            f.write(c)
`;

/** model.py after its generated header (SPACE, ARCH, the weight file names) */
export const MODEL_PY_BODY = String.raw`# ---------------------------------------------------------------------------------------------------------
# The interpreter of the op lists above (it does not change with the experiment).

_ACTS = {
    "relu": F.relu,
    "relu6": F.relu6,
    "hswish": F.hardswish,  # x * relu6(x + 3) / 6
    "swish": lambda x: x * torch.sigmoid(x),
    "hsigmoid": F.hardsigmoid,  # relu6(x + 3) / 6
    "sigmoid": torch.sigmoid,
}


def module_key(name):
    """PyTorch module names may not contain '.', and '/' would read as nesting: body/3/dw -> body__3__dw."""
    return name.replace("/", "__")


def grid_pool_matrix(h, w, g):
    """[H*W, g*g]: cell (i, j) averages rows floor(i*H/g)..ceil((i+1)*H/g)-1 (adaptive pooling's rule),
    scaled by 1/g, as the browser's grid pooling (src/nas/model/grid-pool.ts)."""
    p = torch.zeros(h * w, g * g)
    for i in range(g):
        y0, y1 = (i * h) // g, -((-(i + 1) * h) // g)
        for j in range(g):
            x0, x1 = (j * w) // g, -((-(j + 1) * w) // g)
            v = 1.0 / ((y1 - y0) * (x1 - x0) * g)
            for y in range(y0, y1):
                for x in range(x0, x1):
                    p[y * w + x, i * g + j] = v
    return p


def parts_of(spec):
    for layer in spec["body"]:
        if layer["kind"] == "fixed":
            yield layer["part"]
        else:
            yield from layer["parts"]
    yield spec["head"]


class Network(nn.Module):
    """A network from a spec: a plain architecture (ARCH) or the supernet of the search space (SPACE).

    forward(x, mix): x is NCHW float32 in [0, 1]; mix has one entry per searchable layer: an int (only that
    candidate runs), a tensor [k] (every candidate runs, outputs weighted: FBNet's mixed op,
    x_{l+1} = sum_i m_i * b_i(x_l)), or a pair (index, weight) (only that candidate runs, times a scalar
    weight whose value is 1 and whose gradient reaches theta: GDAS's single path)."""

    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        self.layers = nn.ModuleDict()
        eps, momentum = spec["bn"]["eps"], spec["bn"]["momentum"]
        for part in parts_of(spec):
            for op in part["ops"]:
                key = module_key(op["name"])
                cin, cout = op["in_shapes"][0][0], op["out_shape"][0]
                if op["op"] == "conv":
                    self.layers[key] = nn.Conv2d(
                        cin, cout, op["k"], op["stride"], op["padding"], op["dilation"], op["groups"], bias=op["bias"]
                    )
                elif op["op"] == "bn":
                    self.layers[key] = nn.BatchNorm2d(cout, eps=eps, momentum=momentum)
                elif op["op"] == "fc":
                    self.layers[key] = nn.Linear(cin, cout)
                elif op["op"] == "gridpool":
                    _, h, w = op["in_shapes"][0]
                    self.register_buffer("grid_" + key, grid_pool_matrix(h, w, op["grid"]), persistent=False)
        self.search_layers = [layer for layer in spec["body"] if layer["kind"] == "search"]

    def candidates(self):
        """Candidate names per searchable layer."""
        return [layer["candidates"] for layer in self.search_layers]

    def apply_op(self, op, a):
        """One lowered op on its inputs a (NCHW tensors)."""
        kind = op["op"]
        key = module_key(op["name"])
        if kind in ("conv", "bn", "fc"):
            return self.layers[key](a[0])
        if kind == "act":
            return _ACTS[op["act"]](a[0])
        if kind == "add":
            return a[0] + a[1]
        if kind == "mul":
            return a[0] * a[1]
        if kind == "shuffle":
            n, c, h, w = a[0].shape
            g = op["groups"]
            return a[0].reshape(n, g, c // g, h, w).transpose(1, 2).reshape(n, c, h, w)
        if kind == "concat":
            return torch.cat(a, 1)
        if kind == "slice":
            return a[0][:, : op["out_shape"][0]]
        if kind == "chpad":
            return F.pad(a[0], (0, 0, 0, 0, 0, op["out_shape"][0] - a[0].shape[1]))
        if kind == "gap":
            return a[0].mean((2, 3), keepdim=True)
        if kind == "flatten":
            return a[0].flatten(1)
        if kind == "maxpool":
            return F.max_pool2d(a[0], op["k"], op["stride"], ceil_mode=True)
        if kind == "gridpool":
            n, c, h, w = a[0].shape
            p = getattr(self, "grid_" + key)
            if p.shape[0] != h * w:  # a subsampled input (FBNetV2 resolution search): the same rule, this size
                p = grid_pool_matrix(h, w, op["grid"])
            return torch.matmul(a[0].reshape(n, c, h * w), p).flatten(1)
        raise ValueError("unknown op " + kind)

    def run_part(self, part, inputs):
        v = dict(zip(part["inputs"], inputs))
        for op in part["ops"]:
            v[op["out"]] = self.apply_op(op, [v[i] for i in op["in"]])
        return v[part["output"]]

    def forward(self, x, mix=None):
        if mix is None:
            if self.search_layers:
                raise ValueError("the supernet needs a choice per searchable layer (mix)")
            mix = []
        if len(mix) != len(self.search_layers):
            raise ValueError("expected %d layer choices, got %d" % (len(self.search_layers), len(mix)))
        outs = []
        l = 0
        for layer in self.spec["body"]:
            if layer["kind"] == "fixed":
                x = self.run_part(layer["part"], [x])
            else:
                m = mix[l]
                l += 1
                parts = layer["parts"]
                if isinstance(m, int):
                    x = self.run_part(parts[m], [x])
                elif isinstance(m, tuple):
                    x = self.run_part(parts[m[0]], [x]) * m[1]
                else:
                    x = sum(m[i] * self.run_part(p, [x]) for i, p in enumerate(parts))
            outs.append(x)
        return self.run_part(self.spec["head"], [x] + [outs[t] for t in self.spec["taps"]])

# ---------------------------------------------------------------------------------------------------------
# FBNetV2 (DMaskingNAS, Wan et al. 2020): the masked supernet of src/nas/v2. A width choice is a
# distribution (values, weights): weights None means certain. Option i keeps the first values[i] channels
# (the mask l_i); a distribution's mask is sum_i w_i * l_i. MASKED lists where each block masks (masks),
# whether it adds its input through the residual gate (residual), and the width tables (hidden_of, se_of).


def fixed_dist(v):
    return ([v], None)


def dist_of(options, m):
    """None: the largest option; an int: that option; a tensor [k]: every option with those weights."""
    if m is None:
        return fixed_dist(options[-1])
    if isinstance(m, int):
        return fixed_dist(options[m])
    return (list(options), m)


def pair_dist(a, b, f):
    values = [f(x, y) for x in a[0] for y in b[0]]
    if a[1] is None and b[1] is None:
        return (values, None)
    wa = a[1] if a[1] is not None else torch.ones(1)
    wb = b[1] if b[1] is not None else torch.ones(1)
    return (values, (wa.reshape(-1, 1) * wb.reshape(1, -1)).reshape(-1))


def map_dist(d, f):
    return ([f(v) for v in d[0]], d[1])


def prefix_masks(values, c):
    m = torch.zeros(len(values), c)
    for i, v in enumerate(values):
        m[i, :v] = 1.0
    return m


def channel_mask(d, c):
    if d[1] is None and d[0][0] == c:
        return None
    l = prefix_masks(d[0], c)
    return l.reshape(c) if d[1] is None else (d[1].reshape(1, -1) @ l).reshape(c)


def mask_channels(x, d):
    m = channel_mask(d, x.shape[1])
    return x if m is None else x * m.reshape(1, -1, 1, 1)


def residual_gate(din, dout, out_max):
    match = torch.tensor([[1.0 if v == c else 0.0 for v in din[0]] for c in dout[0]])
    if match.sum() == 0:
        return None
    if din[1] is None and dout[1] is None:
        return "full" if dout[0][0] == out_max else channel_mask(dout, out_max)
    w_in = din[1] if din[1] is not None else torch.ones(1)
    w_out = dout[1] if dout[1] is not None else torch.ones(1)
    coef = w_out * (match @ w_in.reshape(-1, 1)).reshape(-1)
    return (coef.reshape(1, -1) @ prefix_masks(dout[0], out_max)).reshape(out_max)


def fit_channels(x, c):
    if x.shape[1] == c:
        return x
    if x.shape[1] > c:
        return x[:, :c]
    return F.pad(x, (0, 0, 0, 0, 0, c - x.shape[1]))


class MaskedNetwork(Network):
    """The FBNetV2 supernet: forward(x, mix) with mix = {"blocks": [...], "widths": [...], "expansions": [...],
    "resolution": r}; blocks as Network's mix, widths / expansions / resolution an int, a weight tensor or
    None (widths and expansions: the largest option; resolution: the first factor, full size)."""

    def run_masked(self, part, x, din, dout, dexp):
        hidden = din
        if part["expand"]:
            e = dexp if dexp is not None else fixed_dist(part["e"])
            hidden = pair_dist(din, e, lambda c, r: part["hidden_of"]["%d|%s" % (c, _num(r))])
        se = lambda d: map_dist(d, lambda h: part["se_of"][str(h)])
        dists = {"in": din, "out": dout, "hidden": hidden, "se_hidden": None, "se_in": None}
        masks = {m["after"]: m["dist"] for m in part["masks"]}
        v = {part["inputs"][0]: x}
        for op in part["ops"]:
            y = self.apply_op(op, [v[i] for i in op["in"]])
            d = masks.get(op["out"])
            if d is not None:
                y = mask_channels(y, se(hidden) if d == "se_hidden" else se(din) if d == "se_in" else dists[d])
            v[op["out"]] = y
        y = v[part["output"]]
        if part["skip_proj"]:
            q = y
            p = mask_channels(q, dout)
            gate = residual_gate(din, dout, part["out_max"]) if part["residual"] else None
            if gate is None:
                return p
            xs = fit_channels(x, part["out_max"])
            if isinstance(gate, str):
                return xs
            g = gate.reshape(1, -1, 1, 1)
            return p - q * g + xs * g
        if part["residual"]:
            gate = residual_gate(din, dout, part["out_max"])
            if gate is not None:
                xs = fit_channels(x, part["out_max"])
                y = y + (xs if isinstance(gate, str) else xs * gate.reshape(1, -1, 1, 1))
        return y

    def run_body(self, x, mix):
        din = fixed_dist(self.spec["input"]["channels"])
        outs = []
        l = 0
        for layer, info in zip(self.spec["body"], self.spec["layers_v2"]):
            if layer["kind"] == "fixed":
                dout = din if info["passthrough"] else fixed_dist(info["out_max"])
                x = self.run_masked(layer["part"], x, din, dout, None)
            else:
                widths = mix.get("widths") or []
                exps = mix.get("expansions") or []
                w = widths[l] if l < len(widths) else None
                e = exps[l] if l < len(exps) else None
                dout = dist_of(info["widths"], w) if info["widths"] else fixed_dist(info["out"])
                dexp = dist_of(info["expansions"], e) if info["expansions"] else None
                m = mix["blocks"][l]
                l += 1
                parts = layer["parts"]
                if isinstance(m, int):
                    x = self.run_masked(parts[m], x, din, dout, dexp)
                elif isinstance(m, tuple):
                    x = self.run_masked(parts[m[0]], x, din, dout, dexp) * m[1]
                else:
                    x = sum(m[i] * self.run_masked(p, x, din, dout, dexp) for i, p in enumerate(parts))
            din = dout
            outs.append(x)
        return self.run_part(self.spec["head"], [x] + [outs[t] for t in self.spec["taps"]])

    def forward(self, x, mix):
        if len(mix["blocks"]) != len(self.search_layers):
            raise ValueError("expected %d layer choices, got %d" % (len(self.search_layers), len(mix["blocks"])))
        factors = self.spec["factors"]
        r = mix.get("resolution")
        d = dist_of(factors, 0 if r is None else r) if len(factors) > 1 else fixed_dist(factors[0])
        if d[1] is None:
            f = d[0][0]
            return self.run_body(x[:, :, ::f, ::f], mix)
        return sum(d[1][i] * self.run_body(x[:, :, ::f, ::f], mix) for i, f in enumerate(d[0]))


def _num(r):
    """An expansion ratio as the browser's JSON writes it (6.0 -> "6")."""
    return str(int(r)) if float(r).is_integer() else repr(float(r))


def build_masked_supernet(weights=MASKED_WEIGHTS):
    """The FBNetV2 masked supernet and its architecture logits (theta, width, expansion per searchable
    layer; resolution), with the browser's weights when the file exists."""
    if MASKED is None:
        raise ValueError("this export has no FBNetV2 supernet")
    net = MaskedNetwork(MASKED)
    logits = {}
    if weights and os.path.exists(os.path.join(HERE, weights)):
        path = os.path.join(HERE, weights)
        load_weights(net, path)
        logits = {k: v for k, v in load_file(path).items() if not k.startswith("layers.")}
    return net, logits



class ArchParams(nn.Module):
    """theta: one logit per candidate of every searchable layer; softmax(theta) are the sampling
    probabilities (zeros = uniform, FBNet's initialisation)."""

    def __init__(self, candidates):
        super().__init__()
        self.theta = nn.ParameterList([nn.Parameter(torch.zeros(len(c))) for c in candidates])


# ---------------------------------------------------------------------------------------------------------
# The choice at every searchable layer: Gumbel-softmax (FBNet eq. 8), m = softmax((theta + g) / tau),
# g ~ Gumbel(0, 1), at tau(epoch) = tau0 * decay^epoch (the experiment's TAU0 and TAU_DECAY above).


def tau_at(epoch, tau0=TAU0, decay=TAU_DECAY):
    return tau0 * decay**epoch


class _StraightThrough(torch.autograd.Function):
    """Forward: the one-hot of the argmax (exactly); backward: the gradient of the soft sample."""

    @staticmethod
    def forward(ctx, soft):
        return F.one_hot(soft.argmax(-1), soft.shape[-1]).to(soft.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad


def gumbel_noise(k, generator=None):
    u = torch.rand(k, generator=generator).clamp(1e-10, 1.0 - 1e-7)
    return -torch.log(-torch.log(u))


def gumbel_softmax(theta, noise, tau, hard=False):
    """A relaxed sample of one layer's choice; with hard, the one-hot draw forward and the soft gradient
    backward (straight-through)."""
    soft = torch.softmax((theta + noise) / tau, -1)
    return _StraightThrough.apply(soft) if hard else soft


def part_macs(part):
    """Multiply-adds of convs and FCs (the browser's convention: src/nas/cost/count.ts)."""
    n = 0
    for op in part["ops"]:
        if op["op"] == "conv":
            c, h, w = op["out_shape"]
            k = op["k"]
            n += h * w * c * (op["in_shapes"][0][0] // op["groups"]) * k * k
        elif op["op"] == "fc":
            n += op["in_shapes"][0][0] * op["out_shape"][0]
    return n


def count_macs(spec, choices=None):
    """MACs of a plain spec, or of the supernet's architecture "choices" (a candidate index per layer)."""
    l = 0
    n = 0
    for layer in spec["body"]:
        if layer["kind"] == "fixed":
            n += part_macs(layer["part"])
        else:
            n += part_macs(layer["parts"][choices[l]])
            l += 1
    return n + part_macs(spec["head"])


def count_params(module):
    """Trainable parameters (PyTorch's parameters(): weights, biases, BatchNorm gamma and beta)."""
    return sum(p.numel() for p in module.parameters())


def load_weights(module, path, prefix="layers."):
    """Loads the tensors of "path" whose names start with "prefix" into "module" (model.py's layout).
    Every parameter and BatchNorm statistic must be present and of the right shape."""
    tensors = load_file(path)
    own = module.state_dict()
    wanted = [k for k in own if k.startswith(prefix) and not k.endswith("num_batches_tracked")]
    missing = [k for k in wanted if k not in tensors]
    if missing:
        raise KeyError("%s lacks %d tensors, e.g. %s" % (path, len(missing), missing[:3]))
    for k in wanted:
        if tuple(tensors[k].shape) != tuple(own[k].shape):
            raise ValueError("%s: %s is %s, the model has %s" % (path, k, tuple(tensors[k].shape), tuple(own[k].shape)))
    module.load_state_dict({k: tensors[k] for k in wanted}, strict=False)
    return module


def build_supernet(weights=SUPERNET_WEIGHTS):
    """The search space's supernet and its theta, with the browser's weights when the file exists."""
    if SPACE is None:
        raise ValueError("this export has no search space (it was made from a derived network only)")
    net = Network(SPACE)
    arch = ArchParams(net.candidates())
    if weights and os.path.exists(os.path.join(HERE, weights)):
        path = os.path.join(HERE, weights)
        load_weights(net, path)
        load_weights(arch, path, prefix="theta.")
    return net, arch


def build_derived(weights=DERIVED_WEIGHTS):
    """The derived architecture, with the browser's (inherited or finetuned) weights when the file exists."""
    net = Network(ARCH)
    if weights and os.path.exists(os.path.join(HERE, weights)):
        load_weights(net, os.path.join(HERE, weights))
    return net


def derived_input(x):
    """Images [N, C, DERIVED_LOAD_SIZE, DERIVED_LOAD_SIZE] as the derived network takes them: every
    DERIVED_SUBSAMPLE-th pixel from the top-left one (an FBNetV2 network searched at a lower resolution saw
    exactly that in the browser), [N, C, ARCH size, ARCH size]."""
    f = DERIVED_SUBSAMPLE
    y = x if f == 1 else x[:, :, ::f, ::f].contiguous()
    size = ARCH["input"]["size"]
    if tuple(y.shape[2:]) != (size, size):
        raise ValueError("the derived network takes %dx%d images, got %s" % (size, size, tuple(y.shape[2:])))
    return y


if __name__ == "__main__":
    derived = build_derived()
    size = ARCH["input"]["size"]
    print("derived %s: %d parameters, %d MACs at %dx%d" % (ARCH["name"], count_params(derived), count_macs(ARCH), size, size))
    if DERIVED_SUBSAMPLE > 1:
        print("  input: the %dx%d image subsampled by %d (derived_input)" % (DERIVED_LOAD_SIZE, DERIVED_LOAD_SIZE, DERIVED_SUBSAMPLE))
    if SPACE is not None:
        supernet, theta = build_supernet()
        print("supernet %s: %d parameters, %d searchable layers" % (SPACE["name"], count_params(supernet), len(theta.theta)))
    if MASKED is not None:
        masked, _ = build_masked_supernet()
        print("FBNetV2 masked supernet %s: %d parameters" % (MASKED["name"], count_params(masked)))
`;

/** data.py after its generated header (the 106-point constants, the smoke set size) */
export const DATA_PY_BODY = String.raw`# ---------------------------------------------------------------------------------------------------------
# list.txt of the 106points layout: "<image path> x0 y0 ... x105 y105 [pitch yaw roll]", the browser's rules
# (src/nas/data/list-parser.ts): exactly 212 values or 212 + 3, every one a finite number; a path with ".."
# is refused; the unit is decided from the otherwise valid lines only: a line whose values all lie in
# [NORMALISED_LOW, NORMALISED_HIGH] votes normalised, one with more than half above NORMALISED_HIGH votes
# pixels; the minority is reported line by line when it is one line or at most OUTLIER_SHARE of the voters,
# else the file mixes units and nothing is loaded; normalised values must lie in [-tol, 1 + tol], pixel
# values must be >= -0.5; a repeated image path is reported, not loaded twice.

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_NONFINITE = re.compile(r"^[+-]?(nan|inf(inity)?)$", re.IGNORECASE)


def _line_unit(landmarks):
    in_band = sum(1 for v in landmarks if NORMALISED_LOW <= v <= NORMALISED_HIGH)
    above = sum(1 for v in landmarks if v > NORMALISED_HIGH)
    if in_band == len(landmarks):
        return "normalized"
    return "pixels" if above * 2 > len(landmarks) else None


def parse_list(text, coords="auto"):
    """Returns (samples, problems, coords): samples are dicts line, path, landmarks (212 floats), extra.
    Raises ValueError when the file mixes units (the browser refuses such a file too)."""
    problems, well_formed = [], []
    for line, row in enumerate(re.split(r"\r\n|\n|\r", text), start=1):
        tokens = row.split()
        if not tokens:
            continue
        path, values = tokens[0], tokens[1:]
        if len(values) not in (NUM_COORDS, NUM_COORDS + EXTRA_VALUES):
            problems.append((line, "expected %d landmark values (optionally followed by %d Euler angles) after the path, found %d" % (NUM_COORDS, EXTRA_VALUES, len(values))))
            continue
        if ".." in re.split(r"[\\/]", path):
            problems.append((line, 'image path "%s" leads outside the dataset folder ("..")' % path[:80]))
            continue
        bad, nums = None, []
        for k, tok in enumerate(values):
            shown = tok if len(tok) <= 20 else tok[:20] + "..."
            if _NONFINITE.match(tok):
                bad = "value %d is %s (not a finite number)" % (k + 1, shown)
                break
            if not _NUMBER.match(tok):
                bad = 'value %d "%s" is not a number' % (k + 1, shown)
                break
            v = float(tok)
            # 1e999 passes the pattern but overflows; float32 storage overflows past 3.4e38
            if not math.isfinite(v) or abs(v) > 3.4e38:
                bad = "value %d is %s (not a finite number)" % (k + 1, shown)
                break
            nums.append(v)
        if bad:
            problems.append((line, bad))
            continue
        well_formed.append({"line": line, "path": path, "landmarks": nums[:NUM_COORDS], "extra": nums[NUM_COORDS:]})
    kinds = [_line_unit(s["landmarks"]) for s in well_formed]
    normalised_like = [s["line"] for s, k in zip(well_formed, kinds) if k == "normalized"]
    pixel_like = [s["line"] for s, k in zip(well_formed, kinds) if k == "pixels"]
    majority = "pixels" if len(pixel_like) > len(normalised_like) else "normalized"
    forced = coords if coords != "auto" else None
    coords = forced or majority
    minority = normalised_like if majority == "pixels" else pixel_like
    classed = len(normalised_like) + len(pixel_like)
    stray = len(minority) <= max(1, OUTLIER_SHARE * classed) and len(minority) * 2 < classed
    if not forced and minority and not stray:
        raise ValueError("the file mixes units: lines %s look normalised, lines %s look like pixels" % (normalised_like[:8], pixel_like[:8]))
    samples, seen = [], {}
    for s, k in zip(well_formed, kinds):
        problem = None
        if k is not None and k != coords:
            problem = "its values look like %s coordinates, but the file is read as %s; the line is left out, not rescaled" % (k, coords)
        for i, v in enumerate(s["landmarks"]):
            if problem:
                break
            axis, point = "xy"[i % 2], i // 2
            if coords == "normalized" and (v < -RANGE_TOLERANCE or v > 1 + RANGE_TOLERANCE):
                problem = "landmark %d %s = %s is outside [0, 1] (normalised coordinates)" % (point, axis, v)
            elif coords == "pixels" and v < -0.5:
                problem = "landmark %d %s = %s is negative (pixel coordinates)" % (point, axis, v)
        if problem:
            problems.append((s["line"], problem))
            continue
        if s["path"] in seen:
            problems.append((s["line"], 'duplicate image path "%s" (first on line %d)' % (s["path"], seen[s["path"]])))
            continue
        seen[s["path"]] = s["line"]
        samples.append(s)
    problems.sort()
    return samples, problems, coords


def load_list_dataset(list_path, size):
    """Images (float32 [N, 3, size, size] in [0, 1], resized bilinearly) and normalised landmarks [N, 212]
    of a list.txt; image paths are resolved against the dataset root (the list's grandparent folder), the
    list's folder, then imgs/<file name> next to the list, as the browser's import does. Needs Pillow."""
    from PIL import Image

    with open(list_path, encoding="utf-8") as f:
        samples, problems, coords = parse_list(f.read())
    for line, reason in problems[:10]:
        print("%s:%d: skipped: %s" % (list_path, line, reason))
    list_dir = os.path.dirname(os.path.abspath(list_path))
    root = os.path.dirname(list_dir)
    images, marks = [], []
    for s in samples:
        rel = s["path"].replace("\\", "/").lstrip("./")
        options = [os.path.join(root, rel), os.path.join(list_dir, rel), os.path.join(list_dir, "imgs", os.path.basename(rel))]
        path = next((p for p in options if os.path.exists(p)), None)
        if path is None:
            print("%s:%d: skipped: image %s not found" % (list_path, s["line"], s["path"]))
            continue
        img = Image.open(path).convert("RGB")
        w, h = img.size
        lm = np.asarray(s["landmarks"], dtype=np.float32)
        if coords == "pixels":
            lm = lm / np.tile(np.asarray([w, h], dtype=np.float32), NUM_POINTS)
        img = img.resize((size, size), Image.BILINEAR)
        images.append(np.asarray(img, dtype=np.float32).transpose(2, 0, 1) / 255.0)
        marks.append(lm)
    if not images:
        raise ValueError("%s: no usable samples" % list_path)
    return torch.from_numpy(np.stack(images)), torch.from_numpy(np.stack(marks))


# ---------------------------------------------------------------------------------------------------------
# NME as the browser computes it (src/nas/data/metrics.ts): mean point error over the distance between the
# two outer eye corners of the ground truth (INTER_OCULAR); images with a zero distance are skipped.


def nme_per_image(pred, gt, norm=INTER_OCULAR):
    pred = pred.reshape(len(pred), NUM_POINTS, 2).double()
    gt = gt.reshape(len(gt), NUM_POINTS, 2).double()
    a, b = norm
    d = (gt[:, a] - gt[:, b]).norm(dim=-1)
    err = (pred - gt).norm(dim=-1).mean(-1)
    return torch.where(d > 0, err / d.clamp_min(1e-12), torch.full_like(d, float("nan")))


def mean_nme(pred, gt, norm=INTER_OCULAR):
    v = nme_per_image(pred, gt, norm)
    v = v[~torch.isnan(v)]
    return float(v.mean()) if len(v) else float("nan")


def landmark_loss(pred, target):
    """The browser's training loss: squared error summed over the 212 coordinates, mean over the batch."""
    return ((pred - target) ** 2).sum(-1).mean()


# ---------------------------------------------------------------------------------------------------------
# A smoke set: NOT SynthFace-106. A few procedural "faces" (a fixed 106-point template, randomly scaled,
# rotated and shifted, drawn as coloured dots on a noisy background) so that search.py and train.py run end
# to end without a dataset. For real numbers use --data <list.txt> (the 106points layout).


def _template():
    t = np.linspace(0.0, 1.0, NUM_POINTS, dtype=np.float64)
    pts = np.zeros((NUM_POINTS, 2))
    # 33 contour points on the lower half of an ellipse, the rest on rings around the eyes, nose and mouth
    a = np.pi * np.linspace(0.0, 1.0, 33)
    pts[:33] = np.stack([0.5 - 0.36 * np.cos(a), 0.45 + 0.4 * np.sin(a)], 1)
    rest = np.arange(33, NUM_POINTS)
    ring = rest % 4
    ang = 2 * np.pi * t[rest] * 7
    centres = np.array([[0.33, 0.4], [0.67, 0.4], [0.5, 0.58], [0.5, 0.75]])
    radius = np.array([0.08, 0.08, 0.05, 0.1])
    pts[rest] = centres[ring] + radius[ring, None] * np.stack([np.cos(ang), 0.6 * np.sin(ang)], 1)
    # the two outer eye corners the NME normalises by
    pts[INTER_OCULAR[0]] = [0.22, 0.4]
    pts[INTER_OCULAR[1]] = [0.78, 0.4]
    return pts


def smoke_faces(count, size, seed):
    """images float32 [count, 3, size, size] in [0, 1], landmarks [count, 212] normalised to the image."""
    rng = np.random.default_rng(seed)
    base = _template() - 0.5
    images = np.zeros((count, 3, size, size), dtype=np.float32)
    marks = np.zeros((count, NUM_COORDS), dtype=np.float32)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    colours = rng.uniform(0.2, 1.0, size=(NUM_POINTS, 3))
    for n in range(count):
        s = rng.uniform(0.7, 0.9)
        r = rng.uniform(-0.3, 0.3)
        rot = np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]])
        pts = base @ rot.T * s + 0.5 + rng.uniform(-0.05, 0.05, size=2)
        marks[n] = pts.reshape(-1)
        px = pts * size
        sigma2 = (0.02 * size) ** 2 + 0.5
        img = rng.uniform(0.0, 0.15, size=(3, size, size))
        for p, c in zip(px, colours):
            blob = np.exp(-((xx - p[0]) ** 2 + (yy - p[1]) ** 2) / (2 * sigma2))
            img += c[:, None, None] * blob
        images[n] = np.clip(img, 0.0, 1.0)
    return torch.from_numpy(images), torch.from_numpy(marks)


# ---------------------------------------------------------------------------------------------------------


def make_splits(count, val_fraction, seed, weights_fraction=0.8):
    """A seeded permutation: the first round(val_fraction * count) samples are 'val', the rest is split
    80/20 into 'weights' and 'arch' (the browser's rule; numpy's permutation, not the browser's generator,
    so the sets differ from the browser's)."""
    perm = np.random.default_rng(seed).permutation(count)
    n_val = min(count, int(round(val_fraction * count)))
    n_weights = int(round(weights_fraction * (count - n_val)))
    return {"val": perm[:n_val], "weights": perm[n_val : n_val + n_weights], "arch": perm[n_val + n_weights :]}


def load_data(data, size, smoke_count=SMOKE_COUNT, seed=0):
    """data: "smoke" (the procedural smoke set) or the path of a list.txt."""
    if data == "smoke":
        return smoke_faces(smoke_count, size, seed)
    return load_list_dataset(data, size)


class Batches:
    """Batch indices into one split: a fresh seeded permutation every pass; under DDP every rank walks the
    same permutation and takes its own slice of a global batch of world * batch_size samples."""

    def __init__(self, indices, batch_size, seed, rank=0, world=1):
        self.indices = np.asarray(indices)
        self.batch_size = batch_size
        self.rank, self.world = rank, world
        self.rng = np.random.default_rng(seed)
        self.order, self.cursor = self.rng.permutation(len(self.indices)), 0

    def next(self):
        need = self.batch_size * self.world
        out = []
        while len(out) < need:
            if self.cursor >= len(self.order):
                self.order, self.cursor = self.rng.permutation(len(self.indices)), 0
            take = min(need - len(out), len(self.order) - self.cursor)
            out.extend(self.order[self.cursor : self.cursor + take])
            self.cursor += take
        mine = out[self.rank * self.batch_size : (self.rank + 1) * self.batch_size]
        return torch.as_tensor(self.indices[mine], dtype=torch.long)

    def state(self):
        return {"rng": self.rng.bit_generator.state, "order": self.order.tolist(), "cursor": self.cursor}

    def load(self, s):
        self.rng.bit_generator.state = s["rng"]
        self.order, self.cursor = np.asarray(s["order"]), s["cursor"]
`;

/** distributed.py: the whole file */
export const DISTRIBUTED_PY = String.raw`"""One process or many: under torchrun (WORLD_SIZE > 1) a process group with NCCL on GPUs and Gloo on the
CPU; every rank gets its own slice of each batch and DistributedDataParallel averages the gradients."""
import os

import torch
import torch.distributed as dist


def setup(device_arg="auto"):
    """Returns (rank, world, device)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available() if device_arg == "auto" else device_arg == "cuda"
    device = torch.device("cuda", local) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group("nccl" if cuda else "gloo")
    return rank, world, device


def average_grads(params, world):
    """All-reduce (mean) the gradients of parameters DDP does not wrap (theta)."""
    if world <= 1:
        return
    for p in params:
        if p.grad is not None:
            dist.all_reduce(p.grad)
            p.grad /= world


def barrier(world):
    if world > 1:
        dist.barrier()


def cleanup(world):
    if world > 1:
        dist.destroy_process_group()
`;

/** search.py: the whole file (settings come from search_settings.json) */
export const SEARCH_PY = String.raw`"""The browser's differentiable search (FBNet, Wu et al., CVPR 2019) over the exported supernet:

- the schedule: an epoch is steps_per_epoch iterations; during the warm-up epochs an iteration is one
  weight step (theta frozen), afterwards a weight step then an architecture step;
- Gumbel-softmax over every searchable layer's candidates at tau(epoch) = tau0 * decay^epoch, straight-
  through one-hot samples when gumbel.hard (and for the single-path 'paths' setting, GDAS);
- weights: SGD with momentum, L2 weight decay, learning rate cosine-decayed over the run's iterations, on the
  task loss (with hard samples only the sampled path runs);
- theta: Adam (weight decay 5e-4) on task * alpha * log(COST)^beta, COST the expected cost sum m * table
  + fixed under the relaxed sample, in the browser's cost units (search_settings.json);
- 'weights' and 'arch' batches come from two disjoint training splits.

One device:   python search.py --data smoke --max-steps 3
Many (DDP):   torchrun --standalone --nproc_per_node=N search.py ...   (NCCL on GPUs, Gloo on CPU)
The checkpoint (--checkpoint) holds the weights, theta, both optimizers, the schedule position and the
random generators; --resume continues from it.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

import data
import distributed
import model

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "search_settings.json"), encoding="utf-8") as f:
    SETTINGS = json.load(f)
CONFIG = SETTINGS["config"]


class Schedule:
    """Counters of the browser's schedule (src/nas/search/schedule.ts)."""

    def __init__(self, train, tau0, decay, lr_schedule):
        self.train, self.tau0, self.decay, self.lr_schedule = train, tau0, decay, lr_schedule
        self.step, self.epoch, self.iter, self.next = 0, 0, 0, "weights"

    @property
    def done(self):
        return self.epoch >= self.train["epochs"]

    def tau(self):
        return model.tau_at(self.epoch, self.tau0, self.decay)

    def weight_lr(self):
        lr = self.train["lrWeights"]
        if self.lr_schedule == "constant":
            return lr
        total = max(1, self.train["epochs"] * self.train["stepsPerEpoch"])
        progress = min(1.0, (self.epoch * self.train["stepsPerEpoch"] + self.iter) / total)
        return 0.5 * lr * (1 + math.cos(math.pi * progress))

    def advance(self, phase):
        self.step += 1
        if phase == "weights" and self.epoch >= self.train["warmupEpochs"]:
            self.next = "arch"
            return
        self.next = "weights"
        self.iter += 1
        if self.iter >= self.train["stepsPerEpoch"]:
            self.iter = 0
            self.epoch += 1

    def state(self):
        return {"step": self.step, "epoch": self.epoch, "iter": self.iter, "next": self.next}

    def load(self, s):
        self.step, self.epoch, self.iter, self.next = s["step"], s["epoch"], s["iter"], s["next"]


def task_loss(task, pred, target):
    if task == "classification":
        return F.cross_entropy(pred, target)
    return data.landmark_loss(pred, target)


def expected_cost(masks, table, fixed):
    """sum_l sum_i m_li * COST_li + fixed (FBNet eq. 9), in loss units."""
    total = torch.tensor(fixed, dtype=masks[0].dtype, device=masks[0].device) if masks else torch.tensor(fixed)
    for m, row in zip(masks, table):
        total = total + (m * torch.tensor(row, dtype=m.dtype, device=m.device)).sum()
    return total


def fbnet_loss(task, cost, alpha, beta):
    """task * alpha * log(COST)^beta (FBNet eq. 2); a cost at or below 1 is clamped to COST_FLOOR."""
    if beta == 0:
        return task * alpha
    return task * alpha * torch.log(cost.clamp_min(SETTINGS["costFloor"])) ** beta


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default="smoke", help='"smoke" or the path of a 106points list.txt')
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many optimizer steps (0: run to the end)")
    p.add_argument("--epochs", type=int, help="override train.epochs")
    p.add_argument("--steps-per-epoch", type=int, help="override train.stepsPerEpoch")
    p.add_argument("--batch-size", type=int, help="override train.batchSize (per process)")
    p.add_argument("--checkpoint", default="checkpoints/search.pt")
    p.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    p.add_argument("--from-scratch", action="store_true", help="ignore the browser's weights and theta")
    p.add_argument("--save-every", type=int, default=0, help="also checkpoint every N steps")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    args = p.parse_args()

    rank, world, device = distributed.setup(args.device)
    train = dict(CONFIG["train"])
    for key, value in (("epochs", args.epochs), ("stepsPerEpoch", args.steps_per_epoch), ("batchSize", args.batch_size)):
        if value is not None:
            train[key] = value
    gumbel = CONFIG["gumbel"]
    single = gumbel.get("paths", "all") == "single"
    hard = gumbel["hard"] or single
    seeds = CONFIG["seeds"]
    torch.manual_seed(seeds["init"])

    net, arch = model.build_supernet(None if args.from_scratch else model.SUPERNET_WEIGHTS)
    net.to(device)
    arch.to(device)
    thetas = list(arch.theta)
    size = CONFIG["inputSize"]
    x_all, y_all = data.load_data(args.data, size, seed=seeds["split"])
    splits = data.make_splits(len(x_all), train["valFraction"], seeds["split"])
    batches = {ph: data.Batches(splits[ph], train["batchSize"], seeds["data"] + i, rank, world) for i, ph in enumerate(("weights", "arch"))}
    gen = torch.Generator().manual_seed(seeds["gumbel"])  # the same on every rank: one sample per step

    weights = [q for q in net.parameters()]
    w_opt = torch.optim.SGD(weights, lr=train["lrWeights"], momentum=SETTINGS["momentum"], weight_decay=train["weightDecay"])
    t_opt = torch.optim.Adam(thetas, lr=train["lrTheta"], weight_decay=SETTINGS["thetaWeightDecay"])
    schedule = Schedule(train, gumbel["tau0"], gumbel["decay"], SETTINGS["lrSchedule"])
    ddp = DistributedDataParallel(net, find_unused_parameters=True) if world > 1 else net

    if args.resume:
        if not os.path.exists(args.checkpoint):
            raise SystemExit("--resume: no checkpoint at %s" % args.checkpoint)
        ck = torch.load(args.checkpoint, map_location="cpu")
        net.load_state_dict(ck["net"])
        arch.load_state_dict(ck["arch"])
        w_opt.load_state_dict(ck["w_opt"])
        t_opt.load_state_dict(ck["t_opt"])
        schedule.load(ck["schedule"])
        gen.set_state(ck["gumbel_rng"])
        for ph in batches:
            batches[ph].load(ck["batches"][ph])
        if rank == 0:
            print("resumed from %s at step %d (epoch %d)" % (args.checkpoint, schedule.step, schedule.epoch), flush=True)

    table = [[c / SETTINGS["costUnit"] for c in row] for row in SETTINGS["costTable"]]
    fixed = SETTINGS["fixedCost"] / SETTINGS["costUnit"]
    alpha, beta = CONFIG["loss"]["alpha"], CONFIG["loss"]["beta"]
    task = model.SPACE["task"]

    def save():
        # every rank walks the same batch permutations, so rank 0's generators stand for all
        if rank == 0:
            os.makedirs(os.path.dirname(os.path.abspath(args.checkpoint)), exist_ok=True)
            ck = {
                "net": net.state_dict(),
                "arch": arch.state_dict(),
                "w_opt": w_opt.state_dict(),
                "t_opt": t_opt.state_dict(),
                "schedule": schedule.state(),
                "gumbel_rng": gen.get_state(),
                "batches": {ph: b.state() for ph, b in batches.items()},
                "config": CONFIG,
            }
            torch.save(ck, args.checkpoint + ".tmp")
            os.replace(args.checkpoint + ".tmp", args.checkpoint)
            print("checkpoint %s at step %d" % (args.checkpoint, schedule.step), flush=True)

    taken = 0
    start = time.time()
    net.train()
    while not schedule.done and (args.max_steps <= 0 or taken < args.max_steps):
        phase = schedule.next
        tau = schedule.tau()
        noise = [model.gumbel_noise(len(t), gen).to(device) for t in thetas]
        idx = batches[phase].next()
        x, y = x_all[idx].to(device), y_all[idx].to(device)
        if phase == "weights":
            lr = schedule.weight_lr()
            for g in w_opt.param_groups:
                g["lr"] = lr
            w_opt.zero_grad(set_to_none=True)
            with torch.no_grad():
                if hard and SETTINGS["skipUnsampled"]:
                    mix = [int(torch.argmax(t + n)) for t, n in zip(thetas, noise)]
                else:
                    mix = [model.gumbel_softmax(t, n, tau, hard) for t, n in zip(thetas, noise)]
            loss = task_loss(task, ddp(x, mix), y)
            loss.backward()
            w_opt.step()
            cost = None
        else:
            lr = train["lrTheta"]
            t_opt.zero_grad(set_to_none=True)
            masks = [model.gumbel_softmax(t, n, tau, hard) for t, n in zip(thetas, noise)]
            if single:
                # GDAS: only the drawn path runs, times h_s = 1 whose gradient reaches the soft sample
                draws = [int(torch.argmax(t.detach() + n)) for t, n in zip(thetas, noise)]
                mix = [(d, 1 + m[d] - m[d].detach()) for d, m in zip(draws, masks)]
            else:
                mix = masks
            for q in weights:
                q.requires_grad_(False)
            try:
                # theta is not wrapped by DDP: its gradients are averaged by hand below
                t = task_loss(task, net(x, mix), y)
            finally:
                for q in weights:
                    q.requires_grad_(True)
            cost = expected_cost(masks, table, fixed)
            loss = fbnet_loss(t, cost, alpha, beta)
            loss.backward()
            distributed.average_grads(thetas, world)
            t_opt.step()
        schedule.advance(phase)
        taken += 1
        if rank == 0:
            probs = [torch.softmax(t.detach(), -1).tolist() for t in thetas]
            rec = {"step": schedule.step, "epoch": schedule.epoch, "phase": phase, "loss": float(loss), "tau": tau, "lr": lr}
            if cost is not None:
                rec["expectedCost"] = float(cost) * SETTINGS["costUnit"]
            rec["argmax"] = [max(range(len(q)), key=q.__getitem__) for q in probs]
            print(json.dumps(rec), flush=True)
        if args.save_every and schedule.step % args.save_every == 0:
            save()
    save()
    if rank == 0:
        probs = [torch.softmax(t.detach(), -1).tolist() for t in thetas]
        choices = [max(range(len(q)), key=q.__getitem__) for q in probs]
        names = [c[i] for c, i in zip(net.candidates(), choices)]
        with open(os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), "search_result.json"), "w") as f:
            json.dump({"step": schedule.step, "choices": choices, "candidates": names, "probs": probs}, f, indent=1)
        print("argmax architecture: %s (%d steps in %.1f s)" % (" ".join(names), taken, time.time() - start), flush=True)
    distributed.cleanup(world)


if __name__ == "__main__":
    main()
`;

/** train.py: the whole file */
export const TRAIN_PY = String.raw`"""Finetune (or train from scratch) the derived network with the browser's recipe (src/nas/finetune):
SGD with momentum 0.9 and L2 weight decay on the task loss, learning rate cosine-decayed to 0 over --steps,
on both training splits ('weights' and 'arch'); NME (landmarks) or accuracy on 'val' at the end.

One device:   python train.py --data smoke --steps 100
Many (DDP):   torchrun --standalone --nproc_per_node=N train.py ...   (NCCL on GPUs, Gloo on CPU)
--checkpoint / --resume as in search.py.
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

import data
import distributed
import model

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "search_settings.json"), encoding="utf-8") as f:
    SETTINGS = json.load(f)
CONFIG = SETTINGS["config"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default="smoke", help='"smoke" or the path of a 106points list.txt')
    p.add_argument("--steps", type=int, default=SETTINGS["finetune"]["steps"])
    p.add_argument("--lr", type=float, default=SETTINGS["finetune"]["lr"])
    p.add_argument("--batch-size", type=int, default=CONFIG["train"]["batchSize"], help="per process")
    p.add_argument("--weight-decay", type=float, default=SETTINGS["finetune"]["weightDecay"])
    p.add_argument("--from-scratch", action="store_true", help="random initialisation instead of the browser's weights")
    p.add_argument("--checkpoint", default="checkpoints/train.pt")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    args = p.parse_args()

    rank, world, device = distributed.setup(args.device)
    seeds = CONFIG["seeds"]
    torch.manual_seed(seeds["init"])
    net = model.build_derived(None if args.from_scratch else model.DERIVED_WEIGHTS).to(device)
    # loaded as the browser loads it, then subsampled as the derived network takes it (FBNetV2 resolution)
    x_all, y_all = data.load_data(args.data, model.DERIVED_LOAD_SIZE, seed=seeds["split"])
    x_all = model.derived_input(x_all)
    splits = data.make_splits(len(x_all), CONFIG["train"]["valFraction"], seeds["split"])
    pool = np.concatenate([splits["weights"], splits["arch"]])
    batches = data.Batches(pool, args.batch_size, seeds["data"], rank, world)
    opt = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=0.9, weight_decay=args.weight_decay)
    ddp = DistributedDataParallel(net) if world > 1 else net
    step = 0
    if args.resume:
        ck = torch.load(args.checkpoint, map_location="cpu")
        net.load_state_dict(ck["net"])
        opt.load_state_dict(ck["opt"])
        step = ck["step"]
        batches.load(ck["batches"])
        if rank == 0:
            print("resumed from %s at step %d" % (args.checkpoint, step), flush=True)
    task = model.ARCH["task"]
    net.train()
    while step < args.steps:
        lr = 0.5 * args.lr * (1 + math.cos(math.pi * step / max(1, args.steps)))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = batches.next()
        x, y = x_all[idx].to(device), y_all[idx].to(device)
        pred = ddp(x)
        loss = F.cross_entropy(pred, y) if task == "classification" else data.landmark_loss(pred, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if rank == 0:
            print(json.dumps({"step": step, "loss": float(loss), "lr": lr}), flush=True)
    if rank == 0:
        os.makedirs(os.path.dirname(os.path.abspath(args.checkpoint)), exist_ok=True)
        torch.save({"net": net.state_dict(), "opt": opt.state_dict(), "step": step, "batches": batches.state()}, args.checkpoint)
        net.eval()
        val = torch.as_tensor(splits["val"], dtype=torch.long)
        if len(val):
            with torch.no_grad():
                pred = torch.cat([net(x_all[val[i : i + 64]].to(device)).cpu() for i in range(0, len(val), 64)])
            if task == "classification":
                print("val accuracy %.4f" % float((pred.argmax(-1) == y_all[val]).float().mean()), flush=True)
            else:
                print("val NME %.4f" % data.mean_nme(pred, y_all[val]), flush=True)
    distributed.cleanup(world)


if __name__ == "__main__":
    main()
`;

/** torchrun.py: torchrun with a fix for PyTorch < 2.0 on Python >= 3.11 */
export const TORCHRUN_PY = String.raw`"""python torchrun.py ARGS  ==  torchrun ARGS, for PyTorch builds whose torchrun crashes on Python >= 3.11
(PyTorch < 2.0, e.g. Debian's python3-torch 1.13: Std.from_str("0") returns None because iterating an
IntFlag skips 0 and composite values, and the launcher fails with "'NoneType' object has no attribute
'get'"). Patches that one function, then runs torch.distributed.run unchanged."""
import runpy

from torch.distributed.elastic.multiprocessing import api

_from_str = api.Std.from_str


def _fixed_from_str(vm):
    v = _from_str(vm)
    if v is None:
        return api.Std(int(vm))
    if isinstance(v, dict):
        return {k: api.Std(int(s)) if s is None else s for k, s in v.items()}
    return v


api.Std.from_str = _fixed_from_str
runpy.run_module("torch.distributed.run", run_name="__main__", alter_sys=True)
`;
