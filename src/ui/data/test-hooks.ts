/**
 * Test hooks read from the page URL. They only slow things down; nothing else depends on them.
 *
 * `?importDelay=<ms>`: wait this long before decoding each image during an import, so an end-to-end test can
 * reload the page while an import is half done (e2e/data.spec.ts). Capped at 2 s per image.
 */
export function importDelayMs(): number {
  if (typeof location === 'undefined') return 0;
  const v = Number(new URLSearchParams(location.search).get('importDelay'));
  return Number.isFinite(v) && v > 0 ? Math.min(v, 2000) : 0;
}
