/** onnxruntime-web in the worker: loads its wasm from our own origin (works offline), single-threaded. */
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';

let ortReady: Promise<void> | null = null;

export function prepareOrt(): Promise<void> {
  ortReady ??= import('onnxruntime-web').then((ort) => {
    ort.env.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, self.location.href).href };
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
  });
  return ortReady;
}
