import { describe, expect, it } from 'vitest';
import { escapeXml, niceCeiling, renderChart } from '../src/chart.js';
import { summarize } from '../src/summary.js';

describe('renderChart', () => {
  const ok = summarize('raw-undici', { label: 'raw', shortLabel: 'raw <undici> & co' }, [
    { completed: 100, errors: 0, timedOut: false, wallMs: 10, cpuUs: 2000, p50Ms: 1, p99Ms: 2 },
    { completed: 100, errors: 0, timedOut: false, wallMs: 10, cpuUs: 2400, p50Ms: 1, p99Ms: 2 },
  ]);
  const svg = renderChart({
    clients: [ok, { id: 'seed', label: 'seed', shortLabel: 'seed', status: 'skipped', reason: 'no python' }],
    subtitle: 'machine "x"',
  });

  it('draws one bar per client with figures, a whisker for the spread, and names the rest', () => {
    expect(svg.match(/<rect /g)).toHaveLength(2); // background + one bar
    expect(svg.match(/<line /g)?.length).toBeGreaterThanOrEqual(3);
    expect(svg).toContain('>skipped</text>');
    expect(svg).toContain('>22.0</text>'); // median of 20 and 24 µs
  });

  it('escapes labels and subtitle', () => {
    expect(svg).toContain('raw &lt;undici&gt; &amp; co');
    expect(svg).toContain('machine &quot;x&quot;');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});

describe('niceCeiling', () => {
  it.each([
    [87.8, 100],
    [482, 500],
    [1.2, 2],
    [20, 20],
    [21, 50],
  ])('%d -> %d', (n, want) => {
    expect(niceCeiling(n)).toBe(want);
  });
});

describe('escapeXml', () => {
  it('escapes all five special characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
