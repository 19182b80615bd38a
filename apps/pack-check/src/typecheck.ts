import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectSpec } from './consumers.js';
import { type ExecResult, exec } from './exec.js';
import { type NodeRuntime, userEnv } from './node-runtime.js';

/** The two ways a TypeScript user resolves our packages. */
export const RESOLUTIONS = ['nodenext', 'bundler'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

// A strict project on Node 22, as @tsconfig/node22 and @tsconfig/strictest would set it up, and
// `skipLibCheck: false`, so our own .d.ts files are checked too. `ESNext.Disposable` for
// `using` (the READMEs use `await using`). A project's `compilerOptions` go over these.
const BASE = {
  target: 'ES2022',
  lib: ['ES2023', 'ESNext.Disposable'],
  strict: true,
  skipLibCheck: false,
  noUncheckedIndexedAccess: true,
  forceConsistentCasingInFileNames: true,
} as const;

const BY_RESOLUTION: Record<Resolution, Record<string, unknown>> = {
  // tsc's output of this one is what the `compiled` runs execute.
  nodenext: { module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'out', rootDir: '.' },
  bundler: { module: 'Preserve', moduleResolution: 'Bundler', noEmit: true },
};

/** The tsconfig of one resolution for `spec`'s TypeScript consumers. */
export function tsconfigFor(spec: ProjectSpec, resolution: Resolution): object {
  const files = spec.consumers.filter((c) => c.kind === 'ts-esm' || c.kind === 'ts-cjs').map((c) => c.file);
  return {
    compilerOptions: { ...BASE, ...BY_RESOLUTION[resolution], ...spec.compilerOptions },
    files,
  };
}

/** Writes `tsconfig.<resolution>.json` into the installed project and runs its tsc on it. */
export async function typecheck(
  spec: ProjectSpec,
  dir: string,
  node: NodeRuntime,
  resolution: Resolution,
): Promise<ExecResult & { readonly tsconfig: string }> {
  const tsconfig = `tsconfig.${resolution}.json`;
  await writeFile(join(dir, tsconfig), `${JSON.stringify(tsconfigFor(spec, resolution), null, 2)}\n`);
  const result = await exec(
    join(node.binDir, 'node'),
    [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig, '--pretty', 'false'],
    { cwd: dir, env: userEnv(node), timeoutMs: 180_000 },
  );
  return { ...result, tsconfig };
}
