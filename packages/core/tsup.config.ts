import { defineConfig } from 'tsup';

/**
 * Core's three entries: the root (applications), `/adapter` (adapter authors) and `/node`
 * (Node-only helpers). test/build-entries.test.ts builds with this same config.
 */
export default defineConfig({
  entry: ['src/index.ts', 'src/adapter.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
  // Shared chunks in CommonJS too (esbuild splits only ESM unless asked): without them each
  // CommonJS entry bundles its own copy of every class, and a ConfigError thrown by /adapter
  // code would fail `instanceof ConfigError` against the root's class.
  splitting: true,
  // Keep `node:os` as written: Deno resolves Node's built-ins only with the prefix.
  removeNodeProtocol: false,
});
