/**
 * Where the e2e suite finds Chromium and how it starts it. Playwright's own browser download does not
 * work offline, so we drive the system Chromium (Debian: `apt-get install chromium`).
 */
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function requireChromium(): string {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it (Debian/Ubuntu: sudo apt-get install chromium) ` +
        `or set CHROMIUM_PATH to a Chromium/Chrome binary.`,
    );
  }
  return CHROMIUM_PATH;
}

const COMMON = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** WebGPU through SwiftShader (Vulkan on the CPU): the real WebGPU backend, headless, without a GPU. */
export const WEBGPU_ARGS = [
  ...COMMON,
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
];

/** No WebGPU flags: the app must fall back and say so. */
export const FALLBACK_ARGS = [...COMMON, '--disable-features=WebGPU'];
