import type { TestResult } from './runner.js';

/**
 * How a runtime tells the matrix what happened: one line per test, then one summary line, each
 * `@@sc ` and JSON on stdout (workerd's `test` command prints console.log too). The matrix reads
 * nothing else, so a runtime's own noise cannot be mistaken for a result.
 */
export const LINE_PREFIX = '@@sc ';

/** A result, as its line. */
export function resultLine(result: TestResult): string {
  return LINE_PREFIX + JSON.stringify({ type: 'result', ...result });
}

/** The last line of a run: the runtime's own version and the counts. */
export function summaryLine(runtime: string, results: readonly TestResult[]): string {
  const count = (state: TestResult['state']) => results.filter((r) => r.state === state).length;
  return (
    LINE_PREFIX +
    JSON.stringify({
      type: 'summary',
      runtime,
      passed: count('pass'),
      failed: count('fail'),
      skipped: count('skip'),
      excluded: count('excluded'),
    })
  );
}
