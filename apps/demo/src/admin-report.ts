import type { ServicesView } from '@service-caller/admin';

/**
 * `--admin`'s end-of-run lines: what the admin page's `GET /services` answers now, read over HTTP
 * as a browser would, one line per instance.
 */
export async function reportAdmin(url: string): Promise<string[]> {
  const res = await fetch(`${url}services`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) return [`admin page: GET ${url}services answered ${res.status}`];
  const view = (await res.json()) as ServicesView;
  const lines = [`admin page ${url}services (the caller's own calls):`];
  for (const service of view.services) {
    lines.push(
      `  ${service.name}: ${service.calls} calls, ${service.instances.length} instances, ${service.ejected} ejected`,
    );
    for (const i of service.instances) {
      const state = i.ejection.ejected ? 'ejected' : i.healthy ? 'up' : 'unhealthy';
      const mean = i.recent.meanLatencyMs === null ? '-' : `${i.recent.meanLatencyMs.toFixed(2)} ms`;
      lines.push(`    ${i.host}:${i.port} ${state}, ${i.attempts} attempts, mean ${mean}`);
    }
  }
  lines.push('');
  return lines;
}
