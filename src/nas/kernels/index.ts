/**
 * Faster kernels for tfjs's `cpu` backend (the CPU fallback in the browser, Node tests and scripts): the
 * kernels a profile of a classroom training step named (tf.profile, node --cpu-prof), rewritten as plain
 * typed-array loops. Each one handles float32 and hands any other input back to tfjs's own kernel, so
 * registering them changes speed, not results (tests compare both within float tolerance).
 *
 * registerFastCpuKernels() is idempotent and is called once wherever the cpu backend may run: the worker
 * at start, vitest's setup file, the scripts. unregisterFastCpuKernels() restores tfjs's kernels (tests).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { CpuBackend } from './cpu-data.ts';
import { BINARY_KERNELS, binaryKernel } from './binary.ts';
import { reduceKernel } from './reduce.ts';
import { sliceKernel } from './slice.ts';
import { transposeKernel } from './transpose.ts';
import {
  convFilterKernel,
  convInputKernel,
  convKernel,
  depthwiseFilterKernel,
  depthwiseInputKernel,
  depthwiseKernel,
} from './conv.ts';
import { batchMatMulKernel } from './matmul.ts';
import { BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL, bnTrainGradKernel, bnTrainKernel } from './batchnorm.ts';
import { reluKernel, stepKernel } from './unary.ts';

const BACKEND = 'cpu';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Fast = (inputs: any, backend: CpuBackend, attrs: any) => TensorInfo | null;

const FAST: Record<string, Fast> = {
  ...Object.fromEntries(BINARY_KERNELS.map((name) => [name, binaryKernel(name)])),
  Sum: reduceKernel(false),
  Mean: reduceKernel(true),
  Slice: sliceKernel,
  Transpose: transposeKernel,
  DepthwiseConv2dNative: depthwiseKernel,
  DepthwiseConv2dNativeBackpropFilter: depthwiseFilterKernel,
  DepthwiseConv2dNativeBackpropInput: depthwiseInputKernel,
  Conv2D: convKernel,
  Conv2DBackpropFilter: convFilterKernel,
  Conv2DBackpropInput: convInputKernel,
  BatchMatMul: batchMatMulKernel,
  Relu: reluKernel,
  Step: stepKernel,
};

/** Names of the kernels registerFastCpuKernels replaces. */
export const FAST_CPU_KERNELS = Object.keys(FAST);

/** tfjs's own kernels, kept while ours are registered. */
let originals: Map<string, KernelConfig> | null = null;

/** Kernels of our own (no tfjs counterpart): registered with the fast ones, removed with them. */
const own = (kernelName: string, f: Fast): KernelConfig => ({
  kernelName,
  backendName: BACKEND,
  kernelFunc: ((args) =>
    f(args.inputs, args.backend as unknown as CpuBackend, args.attrs ?? {})) as KernelFunc,
});
const OWN: KernelConfig[] = [
  own(BN_TRAIN_KERNEL, bnTrainKernel as unknown as Fast),
  own(BN_TRAIN_GRAD_KERNEL, bnTrainGradKernel as unknown as Fast),
];

export function registerFastCpuKernels(): void {
  if (originals) return;
  for (const k of OWN) if (!tf.getKernel(k.kernelName, BACKEND)) tf.registerKernel(k);
  const saved = new Map<string, KernelConfig>();
  for (const [name, fast] of Object.entries(FAST)) {
    const original = tf.getKernel(name, BACKEND);
    if (!original) continue; // a tfjs without this cpu kernel: nothing to speed up
    saved.set(name, original);
    const kernelFunc: KernelFunc = (args) =>
      fast(args.inputs, args.backend as unknown as CpuBackend, args.attrs ?? ({} as NamedAttrMap)) ??
      original.kernelFunc(args);
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ ...original, kernelFunc });
  }
  originals = saved;
}

export function unregisterFastCpuKernels(): void {
  if (!originals) return;
  for (const k of OWN) tf.unregisterKernel(k.kernelName, BACKEND);
  for (const [name, original] of originals) {
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(original);
  }
  originals = null;
}

export function fastCpuKernelsRegistered(): boolean {
  return originals !== null;
}
