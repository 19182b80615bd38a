import type { Logger } from '@service-caller/caller';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown> | undefined;
}

/** A real Logger that keeps every line in memory, optionally below a level threshold like pino's. */
export class RecordingLogger implements Logger {
  readonly lines: LogLine[] = [];
  /** How often each method was called, kept lines or not: shows whether a caller checked the level first. */
  readonly calls = { debug: 0, info: 0, warn: 0, error: 0 };
  constructor(readonly level: 'debug' | 'info' | 'warn' | 'error' = 'debug') {}
  debug(message: string, fields?: Record<string, unknown>): void {
    this.#push('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.#push('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.#push('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.#push('error', message, fields);
  }
  /** Every message and field, as one string, to search for leaked secrets. */
  dump(): string {
    return this.lines.map((l) => `${l.message} ${safe(l.fields)}`).join('\n');
  }
  #push(level: LogLine['level'], message: string, fields?: Record<string, unknown>): void {
    this.calls[level]++;
    const rank = { debug: 0, info: 1, warn: 2, error: 3 };
    if (rank[level] < rank[this.level]) return;
    this.lines.push({ level, message, fields });
  }
}

function safe(fields: unknown): string {
  if (fields === undefined) return '';
  try {
    return JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? `${v.name}: ${v.message}` : v));
  } catch {
    return String(fields);
  }
}
