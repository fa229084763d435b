/**
 * Test-only: point onnxruntime-web at the wasm files in node_modules/onnxruntime-web/dist (the browser UI
 * sets ort.env.wasm.wasmPaths itself). One thread: the test machine is small and Node needs no workers.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export async function useLocalOrtWasm(): Promise<void> {
  const ort = await import('onnxruntime-web');
  // the package's Node entry (dist/ort.node.min.js) sits next to the .wasm / .mjs loader files
  const entry = createRequire(import.meta.url).resolve('onnxruntime-web');
  ort.env.wasm.wasmPaths = pathToFileURL(path.dirname(entry) + path.sep).href;
  ort.env.wasm.numThreads = 1;
}
