/**
 * Grid pooling: average an H×W map over a g×g grid of cells (PyTorch's adaptive average pooling rule:
 * cell i spans rows floor(i·H/g) .. ceil((i+1)·H/g) − 1), scale by 1/g, and flatten channel-major,
 * (c, cell), so the result is what an NCHW Flatten of the pooled map gives. g = 1 is global average
 * pooling. The 1/g keeps the FC input's squared norm at global pooling's (g² cells of similar size): the
 * landmark loss sums over coordinates, and without it a 4×4 grid made the FC's curvature 16× larger, so
 * a learning rate that trains the global-pooling head diverged in two steps.
 *
 * Why: a landmark head that pools globally keeps *what* the features saw but not *where*; a small net
 * then has little to regress positions from and settles on the mean shape. A coarse grid keeps the
 * position (as PFLD's full-map 7×7 conv and MobileFaceNet's global depthwise conv do) at any input size,
 * so FBNetV2's resolution options share one FC layer.
 *
 * One pooling matrix P [H·W, g²] (rows: pixels y·W + x; columns: cells i·g + j) serves the tfjs builder
 * (a MatMul) and the ONNX export (a constant initializer), so the two cannot disagree.
 */
import * as tf from '@tensorflow/tfjs';

function cellRange(i: number, n: number, g: number): [number, number] {
  return [Math.floor((i * n) / g), Math.ceil(((i + 1) * n) / g)];
}

export function gridPoolMatrix(h: number, w: number, g: number): Float32Array {
  if (!Number.isInteger(g) || g < 1) throw new Error(`grid pooling: grid ${g} is not a positive integer`);
  const cells = g * g;
  const p = new Float32Array(h * w * cells);
  for (let i = 0; i < g; i++) {
    const [y0, y1] = cellRange(i, h, g);
    for (let j = 0; j < g; j++) {
      const [x0, x1] = cellRange(j, w, g);
      const v = 1 / ((y1 - y0) * (x1 - x0) * g);
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) p[(y * w + x) * cells + i * g + j] = v;
    }
  }
  return p;
}

/** gridPoolMatrix per (H, W, g), so a training step does not rebuild it (few sizes occur per run). */
const matrices = new Map<string, Float32Array>();

/** [N, H, W, C] -> [N, C · g²], channel-major. */
export function gridPool(x: tf.Tensor4D, g: number): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  if (g === 1) return tf.mean(x, [1, 2]);
  const key = `${h}x${w}/${g}`;
  let matrix = matrices.get(key);
  if (!matrix) matrices.set(key, (matrix = gridPoolMatrix(h, w, g)));
  return tf.tidy(() => {
    const p = tf.tensor2d(matrix, [h * w, g * g]);
    const pixelsLast = tf.transpose(tf.reshape(x, [n, h * w, c]), [0, 2, 1]);
    const pooled = tf.matMul(tf.reshape(pixelsLast, [n * c, h * w]) as tf.Tensor2D, p);
    return tf.reshape(pooled, [n, c * g * g]);
  });
}
