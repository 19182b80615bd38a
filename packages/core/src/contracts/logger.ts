/** The logging seam: anything with these four methods (console, pino, winston) fits. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /**
   * Whether a message at `level` would be written. Optional (pino has it); interceptors ask it
   * before building a line so that a filtered line costs nothing.
   */
  isLevelEnabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}
