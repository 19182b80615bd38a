import http from 'node:http';
import axios from 'axios';
import { AUTH_HEADERS, type ClientFactory, upstreamUrls } from './contract.js';

/**
 * axios with a keep-alive agent (its default JSON parsing), round-robin by hand, with the
 * `authorization` header the manager's `AuthInterceptor` adds (as an instance default).
 */
export const createClient: ClientFactory = async (target) => {
  const urls = upstreamUrls(target);
  // Node's global agent keeps connections alive since Node 19; an own agent makes that explicit
  // and lets close() release the sockets.
  const agent = new http.Agent({ keepAlive: true });
  const instance = axios.create({ httpAgent: agent, responseType: 'json', headers: { ...AUTH_HEADERS } });
  let next = 0;
  return {
    async call() {
      const url = urls[next]!;
      next = next + 1 === urls.length ? 0 : next + 1;
      const res = await instance.get(url);
      return res.data;
    },
    async close() {
      agent.destroy();
    },
  };
};
