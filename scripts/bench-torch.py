"""PyTorch peer of src/nas/perf/classroom-steps.ts, driven by scripts/bench.ts (a dev-machine extra: needs
Debian's python3-torch; the app and CI never run it). Builds the same classroom networks in NCHW (same
layers, widths, batch, input, landmark L2 loss, SGD momentum 0.9), one thread, then reads commands from
stdin, one per line: "soft" or "subnet" runs one training step and prints a JSON line with its CPU and
wall time in ms; "quit" ends. Timing a step per command lets the Node side interleave the two frameworks.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

CANDIDATES = ["k3_e1", "k3_e3", "k5_e3", "k3_e6", "k5_e6", "skip"]
# (out, stride) of the classroom's five searchable layers after an 8-channel stride-2 stem
LAYERS = [(8, 1), (16, 2), (16, 1), (32, 2), (32, 1)]
POINTS = 106
FEATURES = 64
GRID = 4


def conv_bn(cin, cout, k, stride=1, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class IR(nn.Module):
    """Inverted residual: [1x1 expand BN relu] -> dw kxk BN relu -> 1x1 project BN (+ x)."""

    def __init__(self, cin, cout, k, e, stride):
        super().__init__()
        hid = cin if e == 1 else round(cin * e)
        self.expand = conv_bn(cin, hid, 1) if e != 1 else None
        self.dw = conv_bn(hid, hid, k, stride, groups=hid)
        self.project = conv_bn(hid, cout, 1, act=False)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        h = self.expand(x) if self.expand is not None else x
        h = self.project(self.dw(h))
        return h + x if self.residual else h


class Skip(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.proj = None if stride == 1 and cin == cout else conv_bn(cin, cout, 1, stride, act=False)

    def forward(self, x):
        return x if self.proj is None else self.proj(x)


def block(name, cin, cout, stride):
    if name == "skip":
        return Skip(cin, cout, stride)
    k, e = name.split("_")
    return IR(cin, cout, int(k[1:]), int(e[1:]), stride)


class Head(nn.Module):
    """1x1 conv BN relu -> 4x4 grid average pooling (scaled by 1/grid, channel-major) -> FC."""

    def __init__(self, cin):
        super().__init__()
        self.conv = conv_bn(cin, FEATURES, 1)
        self.fc = nn.Linear(FEATURES * GRID * GRID, 2 * POINTS)

    def forward(self, x):
        f = F.adaptive_avg_pool2d(self.conv(x), GRID) / GRID
        return self.fc(torch.flatten(f, 1))


class Net(nn.Module):
    """choices None: the all-paths supernet (every candidate, weighted by a mask per layer)."""

    def __init__(self, choices=None):
        super().__init__()
        self.stem = conv_bn(3, 8, 3, 2)
        self.layers = nn.ModuleList()
        cin = 8
        for i, (out, stride) in enumerate(LAYERS):
            names = CANDIDATES if choices is None else [choices[i]]
            self.layers.append(nn.ModuleList([block(n, cin, out, stride) for n in names]))
            cin = out
        self.head = Head(cin)

    def forward(self, x, masks=None):
        h = self.stem(x)
        for i, ops in enumerate(self.layers):
            h = ops[0](h) if masks is None else sum(m * op(h) for m, op in zip(masks[i], ops))
        return self.head(h)


def main():
    batch, size, tau = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    x = torch.randn(batch, 3, size, size)
    y = torch.rand(batch, 2 * POINTS)
    nets = {"soft": Net(), "subnet": Net(["k3_e3"] * len(LAYERS))}
    thetas = [torch.zeros(len(CANDIDATES)) for _ in LAYERS]
    opts = {k: torch.optim.SGD(n.parameters(), lr=0.01, momentum=0.9) for k, n in nets.items()}
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "quit":
            break
        net, opt = nets[cmd], opts[cmd]
        wall, cpu = time.perf_counter(), time.process_time()
        masks = None
        if cmd == "soft":
            # Gumbel(0, 1) noise, soft sample softmax((θ + g) / τ); θ is not trained in a weight step
            masks = [F.softmax((t - torch.log(-torch.log(torch.rand_like(t)))) / tau, 0) for t in thetas]
        opt.zero_grad()
        loss = ((net(x, masks) - y) ** 2).sum(1).mean()
        loss.backward()
        opt.step()
        value = loss.item()
        print(
            json.dumps(
                {
                    "cpu_ms": 1000 * (time.process_time() - cpu),
                    "wall_ms": 1000 * (time.perf_counter() - wall),
                    "loss": value,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
