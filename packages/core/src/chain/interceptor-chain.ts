import type { ServiceInterceptor } from '../contracts/interceptor.js';
import { ConfigError } from '../errors/index.js';
import { describeKind } from '../options/describe-value.js';

const HOOKS = [
  'beforeRequest',
  'afterResponse',
  'handleException',
  'beforeAttempt',
  'afterAttempt',
  'onEjection',
] as const;

/**
 * The ordered, copy-on-write list of interceptors.
 *
 * Every change replaces the array instead of mutating it, so a call takes `snapshot` once when it
 * starts and keeps running that exact list while interceptors are added or removed elsewhere; the
 * hot path never copies the list. Interceptors are sorted by `order` (default 0, smaller first);
 * equal orders keep the order they were added in.
 *
 * @example
 * ```ts
 * const chain = new InterceptorChain([auth, logging]);
 * chain.add(metrics);            // true
 * chain.add({ name: 'auth' });   // false: the name is taken, the first one stays
 * ```
 */
export class InterceptorChain {
  #list: readonly ServiceInterceptor[] = Object.freeze([]);
  #attemptHooks: readonly ServiceInterceptor[] | undefined = undefined;
  #ejectionHooks: readonly ServiceInterceptor[] = Object.freeze([]);

  /** Builds a chain from `interceptors`, added one by one (duplicates by name ignored). */
  constructor(interceptors: readonly ServiceInterceptor[] = []) {
    if (!Array.isArray(interceptors)) {
      throw new ConfigError({
        file: '<interceptors>',
        keyPath: 'interceptors',
        expected: 'an array of interceptors',
        found: describeKind(interceptors),
      });
    }
    for (const interceptor of interceptors) this.add(interceptor);
  }

  /** The interceptors in run order. Frozen; the same array until the next change. */
  get snapshot(): readonly ServiceInterceptor[] {
    return this.#list;
  }

  /**
   * The interceptors that have a per-attempt hook (`beforeAttempt`, `afterAttempt`), in run
   * order, or `undefined` when none has: then an attempt skips the per-attempt stages (and the
   * copy of the headers `beforeAttempt` gets) altogether. Changes with `snapshot`.
   */
  get attemptHooks(): readonly ServiceInterceptor[] | undefined {
    return this.#attemptHooks;
  }

  /** The interceptors that have `onEjection`, in run order. Changes with `snapshot`. */
  get ejectionHooks(): readonly ServiceInterceptor[] {
    return this.#ejectionHooks;
  }

  /** Number of interceptors. */
  get size(): number {
    return this.#list.length;
  }

  /**
   * Adds `interceptor` at its place by `order`, after any interceptor of equal order.
   * Returns false, changing nothing, when an interceptor of the same name is present.
   * Throws `ConfigError` when `interceptor` has no non-empty string `name`, a non-finite `order`,
   * or a hook that is not a function.
   */
  add(interceptor: ServiceInterceptor): boolean {
    validateInterceptor(interceptor);
    const list = this.#list;
    if (list.some((existing) => existing.name === interceptor.name)) return false;
    const order = interceptor.order ?? 0;
    let at = list.length;
    for (let i = 0; i < list.length; i++) {
      if ((list[i]!.order ?? 0) > order) {
        at = i;
        break;
      }
    }
    const next = list.slice();
    next.splice(at, 0, interceptor);
    this.#replace(next);
    return true;
  }

  /** Removes the interceptor named `name`; returns whether one was removed. */
  remove(name: string): boolean {
    const list = this.#list;
    const at = list.findIndex((existing) => existing.name === name);
    if (at < 0) return false;
    const next = list.slice();
    next.splice(at, 1);
    this.#replace(next);
    return true;
  }

  /** Removes every interceptor. Calls in flight keep the list they started with. */
  clear(): void {
    if (this.#list.length !== 0) this.#replace([]);
  }

  #replace(next: ServiceInterceptor[]): void {
    this.#list = Object.freeze(next);
    const withAttemptHooks = next.filter(
      (interceptor) => interceptor.beforeAttempt !== undefined || interceptor.afterAttempt !== undefined,
    );
    this.#attemptHooks = withAttemptHooks.length === 0 ? undefined : Object.freeze(withAttemptHooks);
    this.#ejectionHooks = Object.freeze(next.filter((interceptor) => interceptor.onEjection !== undefined));
  }
}

function validateInterceptor(interceptor: ServiceInterceptor): void {
  if (typeof interceptor !== 'object' || interceptor === null) {
    throw new ConfigError({
      file: '<interceptors>',
      keyPath: 'interceptor',
      expected: 'an object with a name and hooks',
      found: describeKind(interceptor),
    });
  }
  const { name } = interceptor;
  if (typeof name !== 'string' || name.length === 0) {
    throw new ConfigError({
      file: '<interceptors>',
      keyPath: 'interceptor.name',
      expected: 'a non-empty string',
      found: describeKind(name),
    });
  }
  const { order } = interceptor;
  if (order !== undefined && (typeof order !== 'number' || !Number.isFinite(order))) {
    throw new ConfigError({
      file: '<interceptors>',
      keyPath: `interceptor '${name}'.order`,
      expected: 'a finite number',
      found: describeKind(order),
    });
  }
  for (const hook of HOOKS) {
    const fn = interceptor[hook];
    if (fn !== undefined && typeof fn !== 'function') {
      throw new ConfigError({
        file: '<interceptors>',
        keyPath: `interceptor '${name}'.${hook}`,
        expected: 'a function',
        found: describeKind(fn),
      });
    }
  }
}
