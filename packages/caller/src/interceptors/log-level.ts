import { type Logger, silentLogger } from '@service-caller/core';

/** The levels the built-in interceptors write at. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Rank of level names used by common loggers (pino, winston, ours); higher is more severe. */
const RANK: Readonly<Record<string, number>> = {
  silly: 0,
  trace: 10,
  debug: 20,
  verbose: 25,
  http: 28,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

/** The shapes loggers use to say which levels they write. */
interface LevelAware {
  isLevelEnabled?: (level: string) => boolean;
  level?: unknown;
}

/**
 * Whether `logger` would write a line at `level`, asked before any line is built so a filtered
 * line costs nothing. Understands `isLevelEnabled(level)` (pino, our console logger) and a string
 * `level` property (pino, winston, bunyan-style names); a logger that exposes neither is assumed
 * to write every level, except the core's `silentLogger`.
 */
export function isLevelEnabled(logger: Logger, level: LogLevel): boolean {
  if (logger === silentLogger) return false;
  const aware = logger as Logger & LevelAware;
  if (typeof aware.isLevelEnabled === 'function') return aware.isLevelEnabled(level);
  const current = aware.level;
  if (typeof current === 'string') {
    const threshold = RANK[current];
    const wanted = RANK[level];
    if (threshold !== undefined && wanted !== undefined) return wanted >= threshold;
  }
  return true;
}
