import { type Dispatcher, Pool } from 'undici';
import { AUTH_HEADERS, type ClientFactory } from './contract.js';

/**
 * The lower floor: one undici `Pool` per origin, `dispatch` with a handler that collects the
 * body chunks and `JSON.parse`s them, round-robin by hand. What is left of undici once its
 * `request()` conveniences (a `Readable` body, an `AsyncResource`, a consume promise) are gone.
 * `CollectJson` is that handler (the memory benchmark uses it too). It sends the `authorization`
 * header the manager's `AuthInterceptor` adds, so both send the same request.
 */
export class CollectJson implements Dispatcher.DispatchHandler {
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: unknown) => void;
  readonly #chunks: Buffer[] = [];

  constructor(resolve: (value: unknown) => void, reject: (error: unknown) => void) {
    this.#resolve = resolve;
    this.#reject = reject;
  }

  onConnect(): void {}

  onHeaders(): boolean {
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.#resolve(JSON.parse(Buffer.concat(this.#chunks).toString('utf8')));
  }

  onError(error: Error): void {
    this.#reject(error);
  }
}

export const createClient: ClientFactory = async (target) => {
  const pools = target.ports.map((port) => new Pool(`http://${target.host}:${port}`));
  const options: Dispatcher.DispatchOptions = { path: target.path, method: 'GET', headers: AUTH_HEADERS };
  let next = 0;
  return {
    call() {
      const pool = pools[next]!;
      next = next + 1 === pools.length ? 0 : next + 1;
      return new Promise((resolve, reject) => {
        pool.dispatch(options, new CollectJson(resolve, reject));
      });
    },
    async close() {
      await Promise.all(pools.map((pool) => pool.close()));
    },
  };
};
