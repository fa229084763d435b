/**
 * The app's Content-Security-Policy, one string for the built page's <meta> (vite.config.ts injects it into
 * index.html, in dev too) and for the preview server's response header (which is what binds the workers:
 * a worker takes its policy from its own script's response, not from the page).
 * - script-src: only our bundled modules; 'wasm-unsafe-eval' lets onnxruntime-web compile its .wasm
 *   (nothing uses eval or new Function). No inline scripts.
 * - worker-src 'self': the training worker is a module file of the build. fflate's async unzip would start
 *   workers from blob: URLs, which is why the zip import inflates on the page (src/ui/data/zip-reader.ts).
 * - style-src 'unsafe-inline': Vite's dev server injects component CSS as <style> elements and Svelte
 *   writes style attributes; styles cannot run code.
 * - img-src data: blob:, for canvases read back and downloads; connect-src 'self' for the .wasm fetch (and
 *   the dev server's websocket, which 'self' covers).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');
