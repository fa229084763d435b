/**
 * Plain tensor ops the blocks are made of, each written so that the ONNX exporter can mirror it with a
 * standard node: explicit symmetric padding, grouped conv, channel shuffle, the hard activations.
 * All inputs are NHWC.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation } from '../arch/spec.ts';
import { samePad } from './shapes.ts';

/** Zero padding of p pixels on all four spatial sides (NHWC). */
export function padSpatial(x: tf.Tensor4D, p: number): tf.Tensor4D {
  return p === 0
    ? x
    : tf.pad(x, [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ]);
}

/**
 * Insert d - 1 zeros between kernel taps: a dilated conv equals a plain conv with this kernel. tfjs has no
 * gradients for dilation > 1 (and no stride + dilation for depthwise), so dilation is done this way.
 * Built from reshape/pad/slice (rank <= 4), hence differentiable w.r.t. the kernel.
 */
export function dilateKernel(w: tf.Tensor4D, d: number): tf.Tensor4D {
  if (d === 1) return w;
  const [kh, kw, c, m] = w.shape;
  return tf.tidy(() => {
    // rows: [kh, kw*c*m] -> [kh, 1, rest] -> pad to [kh, d, rest] -> [kh*d, kw, c, m] -> keep (kh-1)*d+1
    let r = tf.reshape(w, [kh, 1, kw * c * m]);
    r = tf.pad(r, [
      [0, 0],
      [0, d - 1],
      [0, 0],
    ]);
    let t: tf.Tensor = tf.slice(
      tf.reshape(r, [kh * d, kw, c, m]),
      [0, 0, 0, 0],
      [(kh - 1) * d + 1, kw, c, m],
    );
    const kh2 = (kh - 1) * d + 1;
    // columns, same trick on axis 1
    let q = tf.reshape(t, [kh2, kw, 1, c * m]);
    q = tf.pad(q, [
      [0, 0],
      [0, 0],
      [0, d - 1],
      [0, 0],
    ]);
    t = tf.slice(tf.reshape(q, [kh2, kw * d, c, m]), [0, 0, 0, 0], [kh2, (kw - 1) * d + 1, c, m]);
    return t as tf.Tensor4D;
  });
}

/**
 * A 1×1 stride-1 conv as one MatMul over the pixels: the same sums, but its gradients are MatMuls too,
 * where tfjs's cpu Conv2DBackpropFilter walks every element through TensorBuffer.get and took over half
 * of a training step (node --cpu-prof on the classroom net).
 */
function pointwise(x: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const out = kernel.shape[3];
  const y = tf.matMul(
    tf.reshape(x, [n * h * w, c]) as tf.Tensor2D,
    tf.reshape(kernel, [c, out]) as tf.Tensor2D,
  );
  return tf.reshape(y, [n, h, w, out]);
}

/**
 * Convolution with PyTorch semantics: padding samePad(k, d) on all four sides, stride, dilation, groups.
 * kernel: [k, k, in / groups, out]. Groups are computed by splitting input channels and output filters
 * into `groups` consecutive slices, one conv per slice, outputs concatenated (= PyTorch/ONNX `group`).
 */
export function conv2d(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  stride: number,
  dilation = 1,
  groups = 1,
): tf.Tensor4D {
  return tf.tidy(() => {
    const k = kernel.shape[0];
    // the symmetric padding goes to the conv as a number rather than a separate pad: the same sums, but no
    // padded copy of the input and no slice of it in the backward pass (13 % of a cpu training step)
    const pad = samePad(k, dilation);
    const w = dilateKernel(kernel, dilation);
    const one = (xi: tf.Tensor4D, wi: tf.Tensor4D) =>
      k === 1 && kernel.shape[1] === 1 && stride === 1 ? pointwise(xi, wi) : tf.conv2d(xi, wi, stride, pad);
    if (groups === 1) return one(x, w);
    const xs = tf.split(x, groups, 3) as tf.Tensor4D[];
    const ws = tf.split(w, groups, 3) as tf.Tensor4D[];
    return tf.concat(
      xs.map((xi, i) => one(xi, ws[i])),
      3,
    );
  }) as tf.Tensor4D;
}

/** Depthwise conv (group = channels), `pad` on every side (default samePad); kernel [k, k, C, 1]. */
export function depthwiseConv2d(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  stride: number,
  dilation = 1,
  pad = samePad(kernel.shape[0], dilation),
): tf.Tensor4D {
  return tf.tidy(() => {
    // padding as a number, not a pad op (see conv2d)
    return tf.depthwiseConv2d(x, dilateKernel(kernel, dilation), stride, pad);
  });
}

/**
 * ShuffleNet channel shuffle with g groups: [N,H,W,C] -> [N,H,W,g,C/g] -> swap the last two -> [N,H,W,C].
 * Output channel i * g + j is input channel j * (C / g) + i (PyTorch's view/transpose(1,2)/view in NCHW).
 */
export function channelShuffle(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  if (groups === 1) return x;
  const [n, h, w, c] = x.shape;
  if (c % groups !== 0) throw new Error(`channelShuffle: ${c} channels not divisible by ${groups} groups`);
  return tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(x, [n, h, w, groups, c / groups]), [0, 1, 2, 4, 3]), [n, h, w, c]),
  );
}

/** hard-sigmoid(x) = relu6(x + 3) / 6 (= ONNX HardSigmoid with alpha 1/6, beta 0.5). */
export function hardSigmoid<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6));
}

/** hswish(x) = x * relu6(x + 3) / 6 (MobileNetV3). */
export function hardSwish<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, hardSigmoid(x)));
}

/** relu | relu6 | hswish | swish (x * sigmoid(x)) | none (identity, returns x itself). */
export function activate<T extends tf.Tensor>(x: T, act: Activation): T {
  switch (act) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'hswish':
      return hardSwish(x);
    case 'swish':
      return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
    case 'none':
      return x;
  }
}

/** Global average pooling keeping the spatial dims: [N,H,W,C] -> [N,1,1,C] (ONNX GlobalAveragePool). */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mean(x, [1, 2], true);
}
