import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { CONTENT_SECURITY_POLICY } from './src/csp.ts';

export default defineConfig({
  plugins: [
    svelte(),
    {
      // the policy as the first thing in <head>, so it covers every script the page loads (dev and build)
      name: 'content-security-policy',
      transformIndexHtml: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
          injectTo: 'head-prepend',
        },
      ],
    },
  ],
  // The app only runs ONNX models on onnxruntime-web's CPU (wasm) backend: its wasm-only build ships a
  // 14 MB binary instead of the 28 MB WebGPU-capable one. Node tests keep the package's node entry.
  resolve: process.env.VITEST
    ? {}
    : { alias: [{ find: /^onnxruntime-web$/, replacement: 'onnxruntime-web/wasm' }] },
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  preview: { port: 4173, strictPort: true, headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    // the app registers its fast cpu kernels wherever the cpu backend may run; so do the tests
    setupFiles: ['src/nas/kernels/vitest-setup.ts'],
    testTimeout: 120_000,
    pool: 'forks',
  },
});
