import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The test setup every package shares. `vitest run` runs the unit tests (`*.test.ts`);
 * `vitest run --mode integration` runs the tests that need a server (`*.int.test.ts`).
 * Workspace packages resolve through their `source` export condition, so tests never need a build.
 */
export function packageTestConfig(overrides: { coverageThreshold?: number } = {}) {
  return defineConfig(({ mode }): ViteUserConfig => {
    const integration = mode === 'integration';
    return {
      // No `import` here: Vite adds it to ESM imports by itself, and vitest hands these conditions
      // to its workers (`--conditions`), where Node's own `require` of a package with
      // import/require exports would then get the ESM build (Express's router got is-promise's
      // module namespace: "isPromise is not a function").
      resolve: { conditions: ['source', 'module', 'node', 'default'] },
      ssr: { resolve: { conditions: ['source', 'module', 'node', 'default'] } },
      test: {
        include: integration ? ['{src,test}/**/*.int.test.ts'] : ['{src,test}/**/*.test.ts'],
        exclude: integration ? ['**/node_modules/**'] : ['**/node_modules/**', '**/*.int.test.ts'],
        testTimeout: integration ? 120_000 : 20_000,
        // Above scripts/nacos.sh's own bound for a server to answer (240 s), so a slow start ends
        // with the script's message rather than a bare hook timeout (seen under load 12).
        hookTimeout: integration ? 300_000 : 20_000,
        passWithNoTests: false,
        typecheck: { enabled: !integration, include: ['{src,test}/**/*.test-d.ts'] },
        coverage: {
          provider: 'v8',
          include: ['src/**/*.ts'],
          exclude: ['src/**/*.test.ts', 'src/**/*.test-d.ts'],
          reporter: ['text-summary', 'json-summary'],
          ...(overrides.coverageThreshold ? { thresholds: { lines: overrides.coverageThreshold } } : {}),
        },
      },
    };
  });
}
