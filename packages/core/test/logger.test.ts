import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, consoleLogger, type LogLevel, silentLogger } from '../src/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Captures what reaches the console's four methods. */
function captureConsole() {
  const lines: [string, unknown[]][] = [];
  for (const method of ['debug', 'info', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push([method, args]);
    });
  }
  return lines;
}

describe('consoleLogger', () => {
  it('writes warn and error by default, prefixed, with fields as a second argument', () => {
    const lines = captureConsole();
    const logger = consoleLogger();
    logger.debug('d');
    logger.info('i');
    logger.warn('w', { a: 1 });
    logger.error('e');
    expect(lines).toEqual([
      ['warn', ['[service-caller] w', { a: 1 }]],
      ['error', ['[service-caller] e']],
    ]);
  });

  it.each<[LogLevel, string[]]>([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ])('at %s writes %j', (level, expected) => {
    const lines = captureConsole();
    const logger = consoleLogger(level);
    logger.debug('x');
    logger.info('x');
    logger.warn('x');
    logger.error('x');
    expect(lines.map(([method]) => method)).toEqual(expected);
  });

  it.each<[LogLevel, boolean[]]>([
    ['debug', [true, true, true, true]],
    ['warn', [false, false, true, true]],
    ['silent', [false, false, false, false]],
  ])('at %s answers isLevelEnabled for debug/info/warn/error with %j', (level, expected) => {
    const logger = consoleLogger(level);
    const levels = ['debug', 'info', 'warn', 'error'] as const;
    expect(levels.map((l) => logger.isLevelEnabled?.(l))).toEqual(expected);
    expect(silentLogger.isLevelEnabled?.('error')).toBe(false);
  });

  it('refuses an unknown level with a ConfigError', () => {
    expect(() => consoleLogger('verbose' as LogLevel)).toThrow(ConfigError);
    expect(() => consoleLogger('verbose' as LogLevel)).toThrow(
      "<consoleLogger>: level: expected one of debug, info, warn, error, silent, found 'verbose'",
    );
    expect(() => consoleLogger('toString' as LogLevel)).toThrow(ConfigError);
  });
});

describe('silentLogger', () => {
  it('writes nothing', () => {
    const lines = captureConsole();
    silentLogger.debug('x');
    silentLogger.info('x');
    silentLogger.warn('x', { a: 1 });
    silentLogger.error('x');
    expect(lines).toEqual([]);
    expect(Object.isFrozen(silentLogger)).toBe(true);
  });
});
