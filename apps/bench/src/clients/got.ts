import http from 'node:http';
import got from 'got';
import { AUTH_HEADERS, type ClientFactory, upstreamUrls } from './contract.js';

/**
 * got with a keep-alive agent, `.json()` on the response promise, round-robin by hand, with the
 * `authorization` header the manager's `AuthInterceptor` adds (as an instance default).
 */
export const createClient: ClientFactory = async (target) => {
  const urls = upstreamUrls(target);
  const agent = new http.Agent({ keepAlive: true });
  const instance = got.extend({ agent: { http: agent }, headers: { ...AUTH_HEADERS } });
  let next = 0;
  return {
    async call() {
      const url = urls[next]!;
      next = next + 1 === urls.length ? 0 : next + 1;
      return instance.get(url).json();
    },
    async close() {
      agent.destroy();
    },
  };
};
