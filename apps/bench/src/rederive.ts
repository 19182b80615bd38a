/**
 * `pnpm --filter @service-caller/bench rederive [results/latest.json]`: derives the table, the
 * headline and the targets again from a results file's raw figures, and prints them.
 */
import { readFileSync } from 'node:fs';
import { crossCheckCpu, renderCpuCrossCheck } from './cpu-check.js';
import { renderMemory } from './memory.js';
import { renderHeadline, renderTable, renderTargets } from './report.js';
import { type ResultsFile, rederive } from './results-file.js';

const path = process.argv[2] ?? new URL('../results/latest.json', import.meta.url).pathname;
const file = JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
const clients = rederive(file);
const lines = [
  `${file.machine.date} · ${file.machine.cpuModel}, ${file.machine.cores} cores · Node ${file.machine.node} · ${file.options.runs} runs per client`,
  '',
  renderTable(clients, file.options.runs > 1),
  '',
  renderHeadline(clients),
  '',
  ...renderTargets(clients),
  ...renderCpuCrossCheck(crossCheckCpu(clients)),
];
if (file.memory.length > 0) lines.push('', renderMemory(file.memory));
process.stdout.write(`${lines.join('\n')}\n`);
