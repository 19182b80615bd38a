// The undici package, loaded for its side effect: it installs its Agent as the global dispatcher
// Node's fetch sends through (when none is set yet). Client 3 loads it as well (the facade
// depends on it), so without this line the two fetch clients would go through different
// dispatchers and their difference would not be the fetch transport's.
import 'undici';
import { AUTH_HEADERS, type ClientFactory, upstreamUrls } from './contract.js';

/**
 * Node's global `fetch` (undici inside, through the WHATWG layer), round-robin by hand, with the
 * `authorization` header the manager's `AuthInterceptor` adds. No signal and no timeout: the fetch
 * transport's read timeout (an `AbortController` and a timer per call) is part of what client 3 costs.
 */
export const createClient: ClientFactory = async (target) => {
  const urls = upstreamUrls(target);
  const init: RequestInit = { headers: AUTH_HEADERS };
  let next = 0;
  return {
    async call() {
      const url = urls[next]!;
      next = next + 1 === urls.length ? 0 : next + 1;
      const res = await fetch(url, init);
      return res.json();
    },
    async close() {},
  };
};
