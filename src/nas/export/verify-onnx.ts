/**
 * Runs exported bytes in onnxruntime-web and compares them with outputs computed by tfjs. The runtime is
 * imported dynamically so a browser bundle only fetches it when the user verifies an export; the page is
 * expected to have set `ort.env.wasm.wasmPaths` (in Node the package finds its own wasm files).
 */

export interface OnnxRunResult {
  /** First graph output, flattened row-major. */
  output: Float32Array;
  dims: number[];
  outputName: string;
}

export interface VerifyResult extends OnnxRunResult {
  maxAbsDiff: number;
}

/** NHWC (tfjs layout) -> NCHW (ONNX input layout). */
export function nhwcToNchw(
  data: Float32Array,
  shape: readonly [number, number, number, number],
): Float32Array {
  const [n, h, w, c] = shape;
  if (data.length !== n * h * w * c) throw new Error(`input holds ${data.length} values, shape ${shape}`);
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++)
          out[((b * c + ch) * h + y) * w + x] = data[((b * h + y) * w + x) * c + ch];
  return out;
}

/** Runs the model on an NHWC batch (transposed here to the graph's NCHW `input`). */
export async function runOnnx(
  bytes: Uint8Array,
  input: Float32Array,
  inputShape: readonly [number, number, number, number],
): Promise<OnnxRunResult> {
  const ort = await import('onnxruntime-web');
  const session = await ort.InferenceSession.create(bytes);
  try {
    const [n, h, w, c] = inputShape;
    const feed = new ort.Tensor('float32', nhwcToNchw(input, inputShape), [n, c, h, w]);
    const results = await session.run({ [session.inputNames[0]]: feed });
    const outputName = session.outputNames[0];
    const out = results[outputName];
    const output = Float32Array.from(out.data as Float32Array);
    const dims = [...out.dims];
    for (const t of Object.values(results)) t.dispose();
    return { output, dims, outputName };
  } finally {
    await session.release();
  }
}

/** Max |onnx - expected| over the first output; throws if the element counts differ. */
export async function verifyOnnx(
  bytes: Uint8Array,
  input: Float32Array,
  inputShape: readonly [number, number, number, number],
  expected: Float32Array,
): Promise<VerifyResult> {
  const run = await runOnnx(bytes, input, inputShape);
  if (run.output.length !== expected.length)
    throw new Error(
      `ONNX output has ${run.output.length} values (dims ${run.dims}), expected ${expected.length}`,
    );
  let maxAbsDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(run.output[i] - expected[i]);
    // NaN anywhere must fail the comparison rather than be skipped by Math.max
    maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
  }
  return { ...run, maxAbsDiff };
}
