/**
 * `npm run bench:browser`: the classroom training steps (src/nas/perf/classroom-steps.ts) in headless
 * Chromium on the WebGPU, WebGL and CPU backends, from one run: ms per step (first step, which includes
 * kernel compilation, and the median after it) and ratios between backends.
 *
 * The page (scripts/bench-browser/) is built with Vite into a temporary folder and served with Vite's
 * preview server; Chromium is the system one (CHROMIUM_PATH, default /usr/bin/chromium) with the e2e suite's
 * flags, so without a GPU WebGPU and WebGL run on SwiftShader. Each backend gets a fresh page. Sizes are
 * small by default because SwiftShader is slow on a 2-core machine:
 *   BENCH_BROWSER_INPUT (32), BENCH_BROWSER_BATCH (8), BENCH_BROWSER_WARMUP (1), BENCH_BROWSER_ROUNDS (3),
 *   BENCH_BROWSER_BACKENDS (webgpu,webgl,cpu), BENCH_BROWSER_STEPS (every classroom step),
 *   BENCH_BROWSER_TIMEOUT_S (600 per backend).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build, preview, type Plugin } from 'vite';
import { requireChromium, WEBGPU_ARGS } from '../e2e/chromium.ts';
import type { BrowserBenchResult } from './bench-browser/result.ts';

const env = (k: string, d: string) => process.env[`BENCH_BROWSER_${k}`] ?? d;
const INPUT = Number(env('INPUT', '32'));
const BATCH = Number(env('BATCH', '8'));
const WARMUP = Number(env('WARMUP', '1'));
const ROUNDS = Number(env('ROUNDS', '3'));
const BACKENDS = env('BACKENDS', 'webgpu,webgl,cpu').split(',');
const STEPS = process.env.BENCH_BROWSER_STEPS;
const TIMEOUT_MS = Number(env('TIMEOUT_S', '600')) * 1000;

/**
 * The engine's index re-exports ONNX verification, which imports onnxruntime-web on demand; the bench never
 * verifies, so the bundle gets an empty module instead of the 14 MB runtime (a faster build).
 */
const noOnnxRuntime: Plugin = {
  name: 'bench-no-onnxruntime',
  enforce: 'pre',
  resolveId: (id) => (id.startsWith('onnxruntime-web') ? '\0no-onnxruntime' : null),
  load: (id) => (id === '\0no-onnxruntime' ? 'export {};' : null),
};

async function buildPage(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: fileURLToPath(new URL('./bench-browser/', import.meta.url)),
    base: './',
    logLevel: 'warn',
    plugins: [noOnnxRuntime],
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1e6 },
  });
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

function report(results: BrowserBenchResult[]): void {
  const rows = results.flatMap((r) =>
    r.steps.map((s) => ({
      backend: r.backend,
      step: s.label,
      'first ms': fmt(s.firstMs),
      'median ms': fmt(s.medianMs),
      rounds: s.samples.length,
    })),
  );
  console.table(rows);
  for (const r of results) {
    console.log(`${r.backend}: ${r.device || '?'}${r.error ? ` | ERROR: ${r.error}` : ''}`);
  }
  // ratios of the medians, every pair of backends that timed the step
  const ok = results.filter((r) => r.steps.length > 0);
  const kinds = [...new Set(ok.flatMap((r) => r.steps.map((s) => s.kind)))];
  const ratios: Record<string, string>[] = [];
  for (const kind of kinds) {
    const row: Record<string, string> = { step: kind };
    for (let i = 0; i < ok.length; i++) {
      for (let j = i + 1; j < ok.length; j++) {
        const a = ok[i].steps.find((s) => s.kind === kind);
        const b = ok[j].steps.find((s) => s.kind === kind);
        if (a && b) row[`${ok[i].backend} / ${ok[j].backend}`] = (a.medianMs / b.medianMs).toFixed(2);
      }
    }
    ratios.push(row);
  }
  if (ratios.length) {
    console.log('\nratios of median ms/step (> 1: the first backend is slower)');
    console.table(ratios);
  }
}

async function main(): Promise<void> {
  const executablePath = requireChromium();
  const outDir = mkdtempSync(join(tmpdir(), 'nas-bench-browser-'));
  const t0 = performance.now();
  try {
    await buildPage(outDir);
    const server = await preview({
      configFile: false,
      root: dirname(outDir), // the root must not be outDir itself (Vite warns it could overwrite sources)
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 4190, strictPort: false, open: false },
    });
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('the preview server has no address');
    const browser = await chromium.launch({ executablePath, args: WEBGPU_ARGS, headless: true });
    console.log(
      `classroom steps in headless Chromium (${browser.version()}) | batch ${BATCH}, ${INPUT}x${INPUT} input, ` +
        `warm-up ${WARMUP}, ${ROUNDS} timed rounds (median) | backends ${BACKENDS.join(', ')}`,
    );
    const results: BrowserBenchResult[] = [];
    try {
      for (const backend of BACKENDS) {
        const page = await browser.newPage();
        page.on('pageerror', (e) => console.error(`[${backend}] page error: ${e.message}`));
        const q = new URLSearchParams({
          backend,
          batch: String(BATCH),
          input: String(INPUT),
          warmup: String(WARMUP),
          rounds: String(ROUNDS),
        });
        if (STEPS) q.set('steps', STEPS);
        const started = performance.now();
        try {
          await page.goto(`${url}?${q}`);
          await page.waitForFunction(() => window.benchResult !== undefined, null, {
            timeout: TIMEOUT_MS,
            polling: 500,
          });
          results.push((await page.evaluate(() => window.benchResult))!);
        } catch (e) {
          results.push({ backend, device: '', steps: [], error: e instanceof Error ? e.message : String(e) });
        } finally {
          await page.close();
        }
        console.log(`  ${backend} done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    } finally {
      await browser.close();
      await server.close();
    }
    console.log();
    report(results);
    console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    if (results.some((r) => r.error)) process.exitCode = 1;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
