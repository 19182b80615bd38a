// One-off scaffolder used to lay out the workspace packages consistently.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
const [dir, name, description, depsJson = '{}', peerJson = '{}'] = process.argv.slice(2);
const root = new URL(`../${dir}/`, import.meta.url);
mkdirSync(new URL('src/', root), { recursive: true });
const pkg = {
  name,
  version: '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  engines: { node: '>=22' },
  sideEffects: false,
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  exports: {
    '.': {
      source: './src/index.ts',
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  files: ['dist', 'src', '!src/**/*.test.ts', '!src/**/*.test-d.ts'],
  scripts: {
    build: 'tsup src/index.ts --format esm,cjs --dts --clean --sourcemap --target node22',
    typecheck: 'tsc -p tsconfig.json',
    'lint:package': 'publint --strict && attw --pack . --profile node16',
    test: 'vitest run',
    'test:integration': 'vitest run --mode integration',
  },
  dependencies: JSON.parse(depsJson),
  peerDependencies: JSON.parse(peerJson),
  publishConfig: { access: 'public' },
};
if (!Object.keys(pkg.dependencies).length) delete pkg.dependencies;
if (!Object.keys(pkg.peerDependencies).length) delete pkg.peerDependencies;
writeFileSync(new URL('package.json', root), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  new URL('tsconfig.json', root),
  `${JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test', '*.ts'] }, null, 2)}\n`,
);
writeFileSync(
  new URL('vitest.config.ts', root),
  "import { packageTestConfig } from '../../vitest.shared';\n\nexport default packageTestConfig();\n",
);
if (!existsSync(new URL('src/index.ts', root))) writeFileSync(new URL('src/index.ts', root), 'export {};\n');
