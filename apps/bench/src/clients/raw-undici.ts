import { Pool } from 'undici';
import { AUTH_HEADERS, type ClientFactory } from './contract.js';

/**
 * The floor: one undici `Pool` per origin, `request` + `body.json()`, round-robin by hand.
 * Nothing is done per call that a framework could skip. It sends the `authorization` header the
 * manager's `AuthInterceptor` adds, so both send the same request.
 */
export const createClient: ClientFactory = async (target) => {
  const pools = target.ports.map((port) => new Pool(`http://${target.host}:${port}`));
  const options = { path: target.path, method: 'GET' as const, headers: AUTH_HEADERS };
  let next = 0;
  return {
    async call() {
      const pool = pools[next]!;
      next = next + 1 === pools.length ? 0 : next + 1;
      const { body } = await pool.request(options);
      return body.json();
    },
    async close() {
      await Promise.all(pools.map((pool) => pool.close()));
    },
  };
};
