import type { SuiteApi, SuiteTestContext } from '@service-caller/testkit/portable';
import { GLOBAL_EXPECT, JestAsymmetricMatchers, JestChaiExpect, JestExtend } from '@vitest/expect';
import * as chai from 'chai';

/*
 * The runner the portable suites get on every runtime of the matrix: describe/it/hooks with
 * vitest's order and meaning, and vitest's own matchers (@vitest/expect on chai, as its README
 * shows), so a case reads and fails as it does under vitest. Written here rather than taken from a
 * test framework because none runs on Node, Bun, Deno and workerd alike: vitest needs Node, and
 * workerd has no process to run a CLI in. It is the small part: collecting, hooks, a timeout.
 */

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);
const expect = chai.expect as unknown as SuiteApi['expect'];
// Matchers read their state (custom testers, the test name) through this global, as under vitest
// (which sets its own first when the runner's tests run under it).
(globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] ??= expect;

/** Per test and per hook unless given, as vitest.shared.ts sets for the unit tests. */
const DEFAULT_TIMEOUT = 20_000;

/** One test's outcome. `excluded`: not run, with the reason the matrix gives for this runtime. */
export interface TestResult {
  readonly name: string;
  readonly state: 'pass' | 'fail' | 'skip' | 'excluded';
  readonly ms: number;
  readonly error?: string;
}

interface Hook {
  readonly body: () => unknown;
  readonly timeout: number;
}

interface TestNode {
  readonly kind: 'test';
  readonly name: string;
  readonly body: (context: SuiteTestContext) => unknown;
  readonly timeout: number;
}

interface SuiteNode {
  readonly kind: 'suite';
  readonly name: string;
  readonly children: Array<SuiteNode | TestNode>;
  readonly beforeAll: Hook[];
  readonly afterAll: Hook[];
  readonly afterEach: Hook[];
}

class Skipped extends Error {}

const newSuite = (name: string): SuiteNode => ({
  kind: 'suite',
  name,
  children: [],
  beforeAll: [],
  afterAll: [],
  afterEach: [],
});

/** Collects suites through {@link Runner.api}, then runs them in order with {@link Runner.run}. */
export class Runner {
  readonly #root = newSuite('');
  #current = this.#root;

  /** The functions to hand to `transportSuite`, `registrySuite` and the end-to-end script. */
  readonly api: SuiteApi = {
    describe: (name, body) => {
      const suite = newSuite(name);
      this.#current.children.push(suite);
      const parent = this.#current;
      this.#current = suite;
      try {
        body();
      } finally {
        this.#current = parent;
      }
    },
    it: (name, body, timeout = DEFAULT_TIMEOUT) => {
      this.#current.children.push({ kind: 'test', name, body, timeout });
    },
    beforeAll: (body, timeout = DEFAULT_TIMEOUT) => void this.#current.beforeAll.push({ body, timeout }),
    afterAll: (body, timeout = DEFAULT_TIMEOUT) => void this.#current.afterAll.push({ body, timeout }),
    afterEach: (body, timeout = DEFAULT_TIMEOUT) => void this.#current.afterEach.push({ body, timeout }),
    expect,
  };

  /**
   * Runs every collected test, one at a time. `exclude` maps a full test name (suite names and
   * the test's, joined by ' > ') to why it cannot run on this runtime; those are reported, not run.
   * `report` hears each result as it comes.
   */
  async run(
    options: { exclude?: Readonly<Record<string, string>>; report?: (result: TestResult) => void } = {},
  ): Promise<TestResult[]> {
    const results: TestResult[] = [];
    const record = (result: TestResult) => {
      results.push(result);
      options.report?.(result);
    };
    await this.#runSuite(this.#root, [], [], options.exclude ?? {}, record);
    return results;
  }

  async #runSuite(
    suite: SuiteNode,
    path: readonly string[],
    afterEach: readonly Hook[],
    exclude: Readonly<Record<string, string>>,
    record: (result: TestResult) => void,
  ): Promise<void> {
    const here = suite.name === '' ? path : [...path, suite.name];
    // Innermost first, as vitest runs them.
    const hooksAfterEach = [...suite.afterEach, ...afterEach];
    let setupError: unknown;
    for (const hook of suite.beforeAll) {
      try {
        await bounded(hook.body, hook.timeout, `beforeAll of '${here.join(' > ')}'`);
      } catch (error) {
        setupError = error;
        break;
      }
    }
    for (const child of suite.children) {
      if (child.kind === 'suite') {
        if (setupError === undefined) await this.#runSuite(child, here, hooksAfterEach, exclude, record);
        else
          for (const name of testNames(child, here)) record(failed(name, 0, setupError, 'beforeAll failed'));
        continue;
      }
      const name = [...here, child.name].join(' > ');
      const reason = exclude[name];
      if (reason !== undefined) {
        record({ name, state: 'excluded', ms: 0, error: reason });
        continue;
      }
      if (setupError !== undefined) {
        record(failed(name, 0, setupError, 'beforeAll failed'));
        continue;
      }
      record(await runTest(name, child, hooksAfterEach));
    }
    for (const hook of suite.afterAll) {
      await bounded(hook.body, hook.timeout, `afterAll of '${here.join(' > ')}'`).catch((error: unknown) =>
        record(failed(`${here.join(' > ')} > (afterAll)`, 0, error)),
      );
    }
  }
}

async function runTest(name: string, test: TestNode, afterEach: readonly Hook[]): Promise<TestResult> {
  const started = performance.now();
  const context: SuiteTestContext = {
    skip: (note?: string): never => {
      throw new Skipped(note ?? 'skipped');
    },
  };
  let result: TestResult;
  try {
    await bounded(() => test.body(context), test.timeout, `test '${name}'`);
    result = { name, state: 'pass', ms: performance.now() - started };
  } catch (error) {
    result =
      error instanceof Skipped
        ? { name, state: 'skip', ms: performance.now() - started, error: error.message }
        : failed(name, performance.now() - started, error);
  }
  for (const hook of afterEach) {
    try {
      await bounded(hook.body, hook.timeout, `afterEach after '${name}'`);
    } catch (error) {
      if (result.state !== 'fail') result = failed(name, result.ms, error, 'afterEach failed');
    }
  }
  return result;
}

/** Runs `body`, failing after `ms` with a message naming `what`; the timer never outlives it. */
async function bounded(body: () => unknown, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([Promise.resolve().then(body), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function failed(name: string, ms: number, error: unknown, prefix?: string): TestResult {
  const text =
    error instanceof Error ? `${error.name}: ${error.message}${causeOf(error)}` : `thrown: ${String(error)}`;
  return { name, state: 'fail', ms, error: prefix === undefined ? text : `${prefix}: ${text}` };
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? ` (cause: ${cause.name}: ${cause.message})` : '';
}

function testNames(suite: SuiteNode, path: readonly string[]): string[] {
  const here = [...path, suite.name];
  return suite.children.flatMap((child) =>
    child.kind === 'suite' ? testNames(child, here) : [[...here, child.name].join(' > ')],
  );
}
