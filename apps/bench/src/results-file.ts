import type { MachineInfo } from './machine.js';
import type { MemoryResult } from './memory.js';
import type { BenchOptions } from './options.js';
import { type ClientSummary, summarize } from './summary.js';

/** Bumped when the file's shape changes. */
export const RESULTS_FORMAT = 1;

/** One client in the results file: its runs' own figures, or why it has none. */
export type StoredClient =
  | Pick<Extract<ClientSummary, { status: 'ok' }>, 'id' | 'label' | 'shortLabel' | 'status' | 'runs'>
  | Extract<ClientSummary, { status: 'failed' | 'skipped' }>;

/**
 * `results/latest.json` (full runs; committed) and `results/quick.json` (quick runs; ignored):
 * every run's raw figures, from which every median, min and max of the report follows again.
 */
export interface ResultsFile {
  readonly format: typeof RESULTS_FORMAT;
  readonly options: BenchOptions;
  readonly machine: MachineInfo;
  readonly python?: string | undefined;
  readonly upstream: { readonly instances: number; readonly bodyBytes: number };
  readonly clients: readonly StoredClient[];
  readonly memory: readonly MemoryResult[];
}

/** The summaries (medians, min, max) derived from a results file's runs, as the report shows them. */
export function rederive(file: ResultsFile): ClientSummary[] {
  if (file.format !== RESULTS_FORMAT) {
    throw new Error(
      `results file format ${String(file.format)}; this harness reads format ${RESULTS_FORMAT}`,
    );
  }
  return file.clients.map((client) =>
    client.status === 'ok'
      ? summarize(client.id, { label: client.label, shortLabel: client.shortLabel }, client.runs)
      : client,
  );
}
