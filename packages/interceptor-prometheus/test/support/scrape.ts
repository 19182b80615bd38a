import type { Registry } from 'prom-client';

/** One sample of the text exposition format: `name{a="1",b="2"} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** What a Prometheus server would read from `registry`: its text, parsed into samples. */
export async function scrape(registry: Registry): Promise<{ text: string; samples: Sample[] }> {
  const text = await registry.metrics();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { text, samples };
}

/**
 * The value of the one sample named `name` whose labels are exactly `labels` (the `le` of a
 * bucket included); throws when there is none.
 */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string>,
): number {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = samples.filter(
    (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted,
  );
  if (found.length !== 1) {
    throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${found.length}`);
  }
  return found[0]!.value;
}

/** The label sets of every series of `name` (buckets excluded: their `le` removed, deduplicated). */
export function seriesOf(samples: readonly Sample[], name: string): Record<string, string>[] {
  const seen = new Map<string, Record<string, string>>();
  for (const sample of samples) {
    if (sample.name !== name) continue;
    const { le: _le, ...labels } = sample.labels;
    seen.set(JSON.stringify(Object.entries(labels).sort()), labels);
  }
  return [...seen.values()];
}
