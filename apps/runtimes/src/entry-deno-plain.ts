import { runPortable } from './entry-portable.js';

/*
 * Deno loading the packages as plain ES modules (one bundle, not npm packages): Deno then gives
 * them its own globals, not the Node-compatible ones it gives npm packages.
 *
 *   deno run --allow-net=127.0.0.1 dist/deno-plain.js <fixtures url>
 */

declare const Deno: {
  version: { deno: string };
  args: string[];
  exitCode: number;
  createHttpClient(options: { caCerts: string[] }): unknown;
};

const url = Deno.args[0];
if (!url) throw new Error('usage: deno run dist/deno-plain.js <fixtures url>');
const { failed } = await runPortable(url, `deno ${Deno.version.deno} (plain ES modules)`, {}, (ca) => ({
  client: Deno.createHttpClient({ caCerts: [ca] }),
}));
if (failed > 0) Deno.exitCode = 1;
