/** Placeholder, filled in below. */
export function registerFastCpuKernels(): void {}
