import { defineConfig } from '@playwright/test';
import { requireChromium, WEBGPU_ARGS, FALLBACK_ARGS } from './e2e/chromium.ts';

const executablePath = requireChromium();
const PORT = Number(process.env.E2E_PORT || 4174);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    viewport: { width: 1360, height: 900 },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /fallback\.spec\.ts/,
      use: { launchOptions: { executablePath, args: WEBGPU_ARGS } },
    },
    {
      name: 'fallback',
      testMatch: /fallback\.spec\.ts/,
      use: { launchOptions: { executablePath, args: FALLBACK_ARGS } },
    },
  ],
});
