import { formatMicros } from './report.js';
import type { ClientSummary } from './summary.js';

/** What the chart shows besides the bars. */
export interface ChartInput {
  readonly clients: readonly ClientSummary[];
  /** Second title line: machine and date. */
  readonly subtitle: string;
}

const WIDTH = 880;
const LABEL_WIDTH = 300;
const BAR_AREA = WIDTH - LABEL_WIDTH - 110;
const ROW = 30;
const TOP = 64;
/** The floor in grey, ours in blue, the Python seed in purple, other Node clients in amber. */
const COLOURS: Partial<Record<string, string>> = {
  'raw-undici': '#8c959f',
  'sc-undici': '#0969da',
  'sc-fetch': '#0969da',
  seed: '#8250df',
};

/**
 * A horizontal bar chart of client CPU microseconds per request (median), with a whisker from the
 * fastest to the slowest run when there are several. Plain SVG text, no fonts or scripts to load,
 * so it renders the same on GitHub and in a browser. Clients without figures get a labelled
 * empty row, so a skipped client is visible rather than silently missing.
 */
export function renderChart(input: ChartInput): string {
  const rows = input.clients;
  const max = Math.max(
    1,
    ...rows.map((c) => (c.status === 'ok' ? Math.max(c.cpuUsPerRequest.max, c.cpuUsPerRequest.median) : 0)),
  );
  const scale = BAR_AREA / niceCeiling(max);
  const height = TOP + rows.length * ROW + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="600" fill="#1f2328">Client CPU per request (µs, lower is better)</text>`,
    `<text x="16" y="44" fill="#59636e">${escapeXml(input.subtitle)}</text>`,
  ];
  rows.forEach((c, i) => {
    const y = TOP + i * ROW;
    const mid = y + ROW / 2;
    out.push(
      `<text x="${LABEL_WIDTH - 10}" y="${mid + 4}" text-anchor="end" fill="#1f2328">${escapeXml(shorten(c.shortLabel, 44))}</text>`,
    );
    if (c.status !== 'ok') {
      out.push(`<text x="${LABEL_WIDTH + 6}" y="${mid + 4}" fill="#9a6700">${c.status}</text>`);
      return;
    }
    const s = c.cpuUsPerRequest;
    const w = Math.max(1, s.median * scale);
    const colour = COLOURS[c.id] ?? '#bf8700';
    out.push(
      `<rect x="${LABEL_WIDTH}" y="${y + 6}" width="${w.toFixed(1)}" height="${ROW - 12}" fill="${colour}" rx="2"/>`,
    );
    if (s.max > s.min) {
      const x1 = LABEL_WIDTH + s.min * scale;
      const x2 = LABEL_WIDTH + s.max * scale;
      out.push(
        `<line x1="${x1.toFixed(1)}" y1="${mid}" x2="${x2.toFixed(1)}" y2="${mid}" stroke="#1f2328" stroke-width="1.5"/>`,
        `<line x1="${x1.toFixed(1)}" y1="${mid - 5}" x2="${x1.toFixed(1)}" y2="${mid + 5}" stroke="#1f2328" stroke-width="1.5"/>`,
        `<line x1="${x2.toFixed(1)}" y1="${mid - 5}" x2="${x2.toFixed(1)}" y2="${mid + 5}" stroke="#1f2328" stroke-width="1.5"/>`,
      );
    }
    const labelX = LABEL_WIDTH + Math.max(w, s.max * scale) + 8;
    out.push(`<text x="${labelX.toFixed(1)}" y="${mid + 4}" fill="#1f2328">${formatMicros(s.median)}</text>`);
  });
  const axisY = TOP + rows.length * ROW + 8;
  out.push(
    `<line x1="${LABEL_WIDTH}" y1="${TOP}" x2="${LABEL_WIDTH}" y2="${axisY}" stroke="#d1d9e0"/>`,
    `<text x="${LABEL_WIDTH}" y="${axisY + 18}" fill="#59636e">0</text>`,
    `<text x="${LABEL_WIDTH + BAR_AREA}" y="${axisY + 18}" text-anchor="end" fill="#59636e">${formatMicros(
      niceCeiling(max),
    )} µs</text>`,
    '</svg>',
    '',
  );
  return out.join('\n');
}

/** The smallest 1/2/5 x 10^n at or above `n`, so the axis ends on a round number. */
export function niceCeiling(n: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Escapes the five characters XML gives meaning to. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}
