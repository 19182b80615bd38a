import { request } from 'node:http';

/**
 * Whether a Nacos server answers HTTP at `serverAddr` (the first of a comma-separated list).
 * Any HTTP status counts: the point is to fail fast, with advice, before the greeters try to
 * register. Resolves with the reason when it does not answer within `timeoutMs`.
 */
export function nacosUnreachableReason(serverAddr: string, timeoutMs = 2000): Promise<string | undefined> {
  const first = serverAddr.split(',')[0]?.trim() ?? '';
  const colon = first.lastIndexOf(':');
  const host = colon > 0 ? first.slice(0, colon) : first;
  const port = colon > 0 ? Number(first.slice(colon + 1)) : 8848;
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/nacos/', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(undefined);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}
