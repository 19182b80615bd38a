import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/index.js';
import { expectConfigError, recordingLogger, useConfigDirs } from './helpers.js';

const dirs = useConfigDirs();
const lines = (...content: string[]) => `${content.join('\n')}\n`;

async function load(...content: string[]) {
  const dir = await dirs.make({
    'application.yaml': lines('service-caller:', ...content.map((l) => `  ${l}`)),
  });
  const logger = recordingLogger();
  return { dir, logger, loaded: () => loadConfig({ dir, logger }) };
}

describe('the resilience keys of service-caller', () => {
  it('reads every key, camelCase, times in seconds as written, without warnings', async () => {
    const { loaded, logger } = await load(
      'lb-type: consistent_hash',
      'throw-http-errors: false',
      'strict-options: true',
      'retry:',
      '  attempts: 4',
      '  backoff: { base: 0.05, max: 1 }',
      '  retry-on: [connect-failure, reset, "503", 429]',
      '  methods: [GET, POST]',
      '  retry-after-max: 3',
      'retry-budget: { percent: 10, min-per-second: 2 }',
      'per-try-timeout: 1.5',
      'hedge-delay: 0.2',
      'outlier-ejection:',
      '  consecutive-failures: 3',
      '  eject-on-connect-failure: false',
      '  base-ejection-time: 10',
      '  max-ejection-time: 60',
      '  max-ejection-percent: 34',
      'zone-affinity: { zone: az1, metadata-key: az, min-instances: 2 }',
      'consistent-hash: { header: x-user-id, points-per-instance: 100 }',
    );
    const { config } = await loaded();
    expect(config.serviceCaller).toMatchObject({
      lbType: 'consistent_hash',
      throwHttpErrors: false,
      strictOptions: true,
      retry: {
        attempts: 4,
        backoff: { base: 0.05, max: 1 },
        retryOn: ['connect-failure', 'reset', 503, 429],
        methods: ['GET', 'POST'],
        retryAfterMax: 3,
      },
      retryBudget: { enabled: true, percent: 10, minPerSecond: 2 },
      perTryTimeout: 1.5,
      hedgeDelay: 0.2,
      outlierEjection: {
        enabled: true,
        consecutiveFailures: 3,
        ejectOnConnectFailure: false,
        baseEjectionTime: 10,
        maxEjectionTime: 60,
        maxEjectionPercent: 34,
      },
      zoneAffinity: { zone: 'az1', metadataKey: 'az', minInstances: 2 },
      consistentHash: { header: 'x-user-id', pointsPerInstance: 100 },
    });
    expect(logger.warnings).toEqual([]);
  });

  it('leaves them out when not set, so core applies its defaults', async () => {
    const { loaded } = await load('lb-type: least_request');
    const { config } = await loaded();
    expect(config.serviceCaller.lbType).toBe('least_request');
    for (const key of [
      'retry',
      'retryBudget',
      'perTryTimeout',
      'hedgeDelay',
      'outlierEjection',
      'zoneAffinity',
    ]) {
      expect(config.serviceCaller).not.toHaveProperty(key);
    }
    expect(parseConfig({ serviceCaller: { outlierEjection: {} } }).serviceCaller.outlierEjection).toEqual({
      enabled: true,
    });
  });

  it('reads timeout, the total of every call, in seconds; 30 when not set', async () => {
    const { loaded, logger } = await load('timeout: 2.5');
    expect((await loaded()).config.serviceCaller.timeout).toBe(2.5);
    expect(logger.warnings).toEqual([]);
    expect(parseConfig({}).serviceCaller.timeout).toBe(30);
    expect(parseConfig({ serviceCaller: { timeout: 600 } }).serviceCaller.timeout).toBe(600);
    expect(parseConfig({ serviceCaller: { closeTimeout: 2 } }).serviceCaller.closeTimeout).toBe(2);
    expect(parseConfig({}).serviceCaller).not.toHaveProperty('closeTimeout');
  });

  it.each([
    [['timeout: 0'], 'service-caller.timeout', 'a number of seconds greater than 0 and at most 2147483', '0'],
    [
      ['retry:', '  attempts: -1'],
      'service-caller.retry.attempts',
      'a whole number of attempts (the first included) from 1 to 10',
      '-1',
    ],
    [
      ['retry:', '  attempts: 11'],
      'service-caller.retry.attempts',
      'a whole number of attempts (the first included) from 1 to 10',
      '11',
    ],
    [
      ['retry:', '  retry-on: [reset, slow]'],
      'service-caller.retry.retry-on[1]',
      'one of connect-failure, reset, timeout, or a status from 400 to 599',
      '"slow"',
    ],
    [
      ['retry:', '  retry-on: [200]'],
      'service-caller.retry.retry-on[0]',
      'one of connect-failure, reset, timeout, or a status from 400 to 599',
      '200',
    ],
    [
      ['retry:', '  methods: [get]'],
      'service-caller.retry.methods[0]',
      'one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS',
      '"get"',
    ],
    [
      ['retry:', '  backoff: { base: 2, max: 1 }'],
      'service-caller.retry.backoff.max',
      'a number of seconds >= backoff.base (2)',
      '1',
    ],
    [
      ['retry-budget:', '  percent: 150'],
      'service-caller.retry-budget.percent',
      'a number from 0 to 100 (per cent)',
      '150',
    ],
    [
      ['outlier-ejection:', '  max-ejection-percent: 101'],
      'service-caller.outlier-ejection.max-ejection-percent',
      'a number from 0 to 100 (per cent)',
      '101',
    ],
    [
      ['outlier-ejection:', '  consecutive-failures: 0'],
      'service-caller.outlier-ejection.consecutive-failures',
      'a whole number of failures from 1 to 1000000',
      '0',
    ],
    [
      ['outlier-ejection:', '  base-ejection-time: 60', '  max-ejection-time: 30'],
      'service-caller.outlier-ejection.max-ejection-time',
      'a number of seconds >= base-ejection-time (60)',
      '30',
    ],
    [
      ['per-try-timeout: 0'],
      'service-caller.per-try-timeout',
      'a number of seconds greater than 0 and at most 2147483',
      '0',
    ],
    [
      ['hedge-delay: soon'],
      'service-caller.hedge-delay',
      'a number of seconds greater than 0 and at most 2147483',
      '"soon"',
    ],
    [['throw-http-errors: maybe'], 'service-caller.throw-http-errors', 'true or false', '"maybe"'],
    [['strict-options: sometimes'], 'service-caller.strict-options', 'true or false', '"sometimes"'],
    [
      ['zone-affinity:', '  min-instances: 0'],
      'service-caller.zone-affinity.min-instances',
      'a whole number of instances from 1 to 65535',
      '0',
    ],
    [
      ['lb-type: consistent_hash'],
      'service-caller.consistent-hash',
      "a map with header or query, since lb-type is consistent_hash: where each call's key is",
      'nothing',
    ],
    [
      ['consistent-hash: { header: x-user }'],
      'service-caller.consistent-hash',
      'nothing, since lb-type is round_robin (consistent-hash is read by lb-type consistent_hash only)',
      'a map (header)',
    ],
    [
      ['lb-type: consistent_hash', 'consistent-hash: { header: x-user, query: user }'],
      'service-caller.consistent-hash.query',
      'nothing, since header is set: one of header and query',
      '"user"',
    ],
  ])('refuses %j with a ConfigError naming %s', async (content, keyPath, expected, found) => {
    const { dir, loaded } = await load(...content);
    await expectConfigError(loaded, { file: join(dir, 'application.yaml'), keyPath, expected, found });
  });

  it('warns about an unknown key inside retry, with the nearest name', async () => {
    const { loaded, logger } = await load('retry:', '  attempt: 2');
    await loaded();
    expect(logger.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('service-caller.retry.attempt is ignored (did you mean attempts?)'),
    ]);
  });
});
