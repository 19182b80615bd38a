import { request } from 'node:http';
import type { CheckStatus } from './agent-state.js';

/**
 * One run of an HTTP check, as Consul documents it: a request to the check's URL every interval;
 * any 2xx is `passing`, 429 is `warning`, anything else (or no answer) is `critical`. The double
 * only reaches loopback addresses over plain http: tests never leave 127.0.0.1.
 */
export function runHttpCheck(
  url: string,
  method: string,
  header: Readonly<Record<string, readonly string[]>> | undefined,
  timeoutMs: number,
): Promise<{ status: CheckStatus; output: string }> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ status: 'critical', output: `invalid URL ${JSON.stringify(url)}` });
  }
  if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    return Promise.resolve({
      status: 'critical',
      output: `the Consul double only checks http://127.0.0.1 URLs, not ${url}`,
    });
  }
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(header ?? {})) headers[name] = [...values];
  return new Promise((resolve) => {
    const req = request(target, { method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString('utf8').slice(0, 4096);
        const status: CheckStatus =
          code >= 200 && code < 300 ? 'passing' : code === 429 ? 'warning' : 'critical';
        resolve({
          status,
          output: `HTTP ${method} ${url}: ${code} ${res.statusMessage ?? ''} Output: ${body}`,
        });
      });
      res.on('error', (err) =>
        resolve({ status: 'critical', output: `${method} ${JSON.stringify(url)}: ${err.message}` }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    req.on('error', (err) =>
      resolve({ status: 'critical', output: `${method} ${JSON.stringify(url)}: ${err.message}` }),
    );
    req.end();
  });
}
