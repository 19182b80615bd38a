import type { Logger } from '@service-caller/caller';
import type { OutputStream } from './io.js';

/**
 * A logger that writes `service-caller: <level>: message` lines to stderr: warnings and errors
 * always, info and debug only when `verbose`. An `error` field is shown by its message.
 */
export function stderrLogger(stream: OutputStream, verbose = false): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>): void => {
    const error = fields?.error;
    const detail = error instanceof Error ? ` (${error.name}: ${error.message})` : '';
    stream.write(`service-caller: ${level}: ${message}${detail}\n`.replace(/\r?\n(?!$)/g, ' '));
  };
  return {
    debug: (message, fields) => {
      if (verbose) write('debug', message, fields);
    },
    info: (message, fields) => {
      if (verbose) write('info', message, fields);
    },
    warn: (message, fields) => write('warning', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

/** A logger for the LoggingInterceptor of `call --verbose`: its lines as they are, on stderr. */
export function lineLogger(stream: OutputStream): Logger {
  const write = (message: string): void => {
    stream.write(`${message}\n`);
  };
  return { debug: write, info: write, warn: write, error: write };
}
