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
