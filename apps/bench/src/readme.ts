import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { runChild } from './processes.js';

const README = new URL('../README.md', import.meta.url);
const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';
const BIOME = new URL('../../../node_modules/.bin/biome', import.meta.url).pathname;

/**
 * Copies a full run's report into the README's performance section, between the two marker
 * comments, so the README always shows the latest published table and chart, then formats the
 * README with the repository's biome (which formats markdown tables) so `pnpm lint` stays green.
 * Leaves the README alone (and says so) when the markers are missing.
 */
export async function updateReadme(report: string, log: (line: string) => void): Promise<void> {
  let text: string;
  try {
    text = readFileSync(README, 'utf8');
  } catch {
    log('[bench] README.md not found; not updating its performance section');
    return;
  }
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end < start) {
    log(`[bench] README.md has no ${START} ... ${END} markers; not updating it`);
    return;
  }
  writeFileSync(
    README,
    `${text.slice(0, start + START.length)}\n${readmeSection(report)}\n${text.slice(end)}`,
  );
  const readmePath = README.pathname;
  const formatted = existsSync(BIOME)
    ? await runChild(BIOME, ['format', '--write', readmePath], { timeoutMs: 60_000 })
    : undefined;
  if (formatted?.code !== 0)
    log(`[bench] could not format ${readmePath}; run \`pnpm format\` before committing`);
}

/** The report as a README subsection: no title, headings one level down, links relative to the README. */
export function readmeSection(report: string): string {
  return report
    .split('\n')
    .filter((line, i) => !(i === 0 && line.startsWith('# ')))
    .map((line) => (line.startsWith('## ') ? `#${line}` : line))
    .join('\n')
    .replace(/\]\((latest\.svg)\)/g, '](results/$1)')
    .trim();
}
