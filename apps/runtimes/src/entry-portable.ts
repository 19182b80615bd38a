import { remoteFixtures } from '@service-caller/testkit/portable';
import { definePortableMatrix } from './portable-matrix.js';
import { resultLine, summaryLine } from './report.js';
import { Runner } from './runner.js';

/**
 * What runs on a runtime without Node's modules (workerd), or on one that loads the packages as
 * plain ES modules rather than as npm packages (Deno given a bundle): the portable matrix, from
 * one bundle of core, transport-fetch and testkit's portable entry. `exclude` names what this
 * runtime cannot do, with why.
 */
export async function runPortable(
  url: string,
  runtime: string,
  exclude: Readonly<Record<string, string>> = {},
  trust?: Parameters<typeof definePortableMatrix>[2],
): Promise<{ failed: number }> {
  const runner = new Runner();
  definePortableMatrix(runner.api, remoteFixtures(url), trust);
  const results = await runner.run({ exclude, report: (result) => console.log(resultLine(result)) });
  console.log(summaryLine(runtime, results));
  return { failed: results.filter((result) => result.state === 'fail').length };
}
