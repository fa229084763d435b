/**
 * Import rules checked by `npm run check` (dependency-cruiser): no import cycles anywhere, and code outside
 * the engine reaches src/nas only through its public entries (index.ts, and testing.ts for test helpers).
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles make load order matter and hide layering mistakes.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nas-only-through-index',
      comment: 'Outside src/nas, import the engine from src/nas/index.ts (or src/nas/testing.ts in tests).',
      severity: 'error',
      from: { path: '^(src/(?!nas/)|scripts/|e2e/)' },
      to: { path: '^src/nas/', pathNot: '^src/nas/(index|testing)\\.ts$' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.svelte'] },
  },
};
