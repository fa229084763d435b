/** vitest setup: Node tests run the engine on the cpu backend, with the fast kernels as the app does. */
import { registerFastCpuKernels } from './index.ts';

registerFastCpuKernels();
