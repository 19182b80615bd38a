import type { ExpectStatic } from 'vitest';

/** What a test body receives: enough to skip a test that does not apply, at run time. */
export interface SuiteTestContext {
  /** Ends the test as skipped, naming why. */
  skip(note?: string): never;
}

/**
 * The few test-runner functions the conformance suites are written against, with vitest's
 * meaning. The vitest suites (`testTransport`, `testRegistry`) pass vitest's own; a runner on
 * another runtime (Bun, Deno, workerd: see apps/runtimes) passes its own implementation, so the
 * same cases run there unchanged.
 */
export interface SuiteApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: (context: SuiteTestContext) => unknown, timeout?: number): void;
  beforeAll(body: () => unknown, timeout?: number): void;
  afterAll(body: () => unknown, timeout?: number): void;
  afterEach(body: () => unknown, timeout?: number): void;
  /** Jest-style `expect`: vitest's, or `@vitest/expect`'s matchers on chai elsewhere. */
  expect: ExpectStatic;
}
