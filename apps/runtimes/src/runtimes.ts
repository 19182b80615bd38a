import { join } from 'node:path';
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
  readonly command: string;
  readonly args: (fixturesUrl: string) => string[];
}

export function runtimesIn(bin: string): readonly RuntimeSpec[] {
  return [
    {
      id: 'node22',
      label: 'Node 22',
      loads: 'npm packages (ESM dist)',
      command: join(bin, 'node'),
      args: (url) => [join(distDir, 'entry-npm.js'), url],
    },
    {
      id: 'node24',
      label: 'Node 24',
      loads: 'npm packages (ESM dist)',
      command: process.execPath,
      args: (url) => [join(distDir, 'entry-npm.js'), url],
    },
    {
      id: 'bun',
      label: 'Bun',
      loads: 'npm packages (ESM dist)',
      command: join(bin, 'bun'),
      args: (url) => [join(distDir, 'entry-npm.js'), url],
    },
    {
      id: 'deno',
      label: 'Deno',
      loads: 'npm packages (ESM dist, node_modules)',
      command: join(bin, 'deno'),
      args: (url) => [
        'run',
        '--allow-net=127.0.0.1',
        '--allow-read',
        '--allow-env',
        '--allow-sys',
        join(distDir, 'entry-npm.js'),
        url,
      ],
    },
    {
      id: 'deno-plain',
      label: 'Deno',
      loads: 'plain ES modules (one bundle)',
      command: join(bin, 'deno'),
      args: (url) => ['run', '--allow-net=127.0.0.1', join(distDir, 'deno-plain.js'), url],
    },
    {
      id: 'workerd',
      label: 'workerd',
      loads: 'one bundle, no compatibility flags',
      command: join(bin, 'workerd'),
      args: () => ['test', '--verbose', join(distDir, 'workerd.capnp')],
    },
  ];
}
