import { join } from 'node:path';
import type { Entry } from './build-entries.js';
import { distDir } from './paths.js';

/*
 * The rows of the matrix: how each runtime is started on its entry. `bin` is the folder
 * scripts/runtimes.sh installs them into; Node 24 is the Node running the matrix.
 */

export interface RuntimeSpec {
  readonly id: string;
  readonly label: string;
  /** How it loads the packages, for the table. */
  readonly loads: string;
  /** The built entry it runs. */
  readonly entry: Entry;
  readonly command: string;
  /** Its arguments, given the built entry's path and the fixture server's URL. */
  readonly args: (file: string, fixturesUrl: string) => string[];
}

/*
 * Deno 2.9.6 keeps a V8 code cache per file path (in DENO_DIR, shared between runs) and, for a
 * CommonJS file, runs the cached code of an earlier build when the rebuilt file has the same
 * length: a rebuilt core/dist/index.cjs whose only change is its chunk's hashed name
 * (chunk-2GAUK7FQ.cjs -> chunk-LJZQZ4WX.cjs) went on requiring the old chunk, which the build had
 * removed ("Cannot find module"), at the same checkout path one CI run later. The matrix checks the
 * files as built now, so Deno runs without that cache.
 */
export const NO_CODE_CACHE = '--no-code-cache';

export function runtimesIn(bin: string): readonly RuntimeSpec[] {
  return [
    {
      id: 'node22',
      entry: 'entry-npm.js',
      label: 'Node 22',
      loads: 'npm packages (ESM dist)',
      command: join(bin, 'node'),
      args: (file, url) => [file, url],
    },
    {
      id: 'node24',
      entry: 'entry-npm.js',
      label: 'Node 24',
      loads: 'npm packages (ESM dist)',
      command: process.execPath,
      args: (file, url) => [file, url],
    },
    {
      id: 'bun',
      entry: 'entry-npm.js',
      label: 'Bun',
      loads: 'npm packages (ESM dist)',
      command: join(bin, 'bun'),
      args: (file, url) => [file, url],
    },
    {
      id: 'deno',
      entry: 'entry-npm.js',
      label: 'Deno',
      loads: 'npm packages (ESM dist, node_modules)',
      command: join(bin, 'deno'),
      // env: process.env for the config; sys: detectHostAddress; read: require() of the CommonJS builds.
      args: (file, url) => [
        'run',
        NO_CODE_CACHE,
        '--allow-net=127.0.0.1',
        '--allow-read',
        '--allow-env',
        '--allow-sys',
        file,
        url,
      ],
    },
    {
      id: 'deno-plain',
      entry: 'deno-plain.js',
      label: 'Deno',
      loads: 'plain ES modules (one bundle)',
      command: join(bin, 'deno'),
      args: (file, url) => ['run', NO_CODE_CACHE, '--allow-net=127.0.0.1', file, url],
    },
    {
      id: 'workerd',
      entry: 'workerd.js',
      label: 'workerd',
      loads: 'one bundle, no compatibility flags',
      command: join(bin, 'workerd'),
      args: () => ['test', '--verbose', join(distDir, 'workerd.capnp')],
    },
  ];
}
