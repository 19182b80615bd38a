// The undici package, loaded for its side effect: it installs its Agent as the global dispatcher
// Node's fetch sends through (when none is set yet). Client 3 loads it as well (the facade
// depends on it), so without this line the two fetch clients would go through different
// dispatchers and their difference would not be the fetch transport's.
import 'undici';
import { type ClientFactory, upstreamUrls } from './contract.js';

/** Node's global `fetch` (undici inside, through the WHATWG layer), round-robin by hand. */
export const createClient: ClientFactory = async (target) => {
  const urls = upstreamUrls(target);
  let next = 0;
  return {
    async call() {
      const url = urls[next]!;
      next = next + 1 === urls.length ? 0 : next + 1;
      const res = await fetch(url);
      return res.json();
    },
    async close() {},
  };
};
