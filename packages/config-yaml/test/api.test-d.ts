import type { Logger } from '@service-caller/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type LoadedConfig,
  loadConfig,
  parseConfig,
  redactConfig,
  type ServiceCallerConfig,
  type ServiceCallerConfigInput,
  selectedRegistry,
} from '../src/index.js';

describe('the public API the facade codes against', () => {
  it('keeps its signatures', () => {
    expectTypeOf(parseConfig).parameters.toEqualTypeOf<
      [input: unknown, options?: { source?: string; logger?: Logger }]
    >();
    expectTypeOf(parseConfig).returns.toEqualTypeOf<ServiceCallerConfig>();
    expectTypeOf(loadConfig).parameter(0).toEqualTypeOf<{
      dir: string;
      profile?: string;
      env?: Record<string, string | undefined>;
      logger?: Logger;
    }>();
    expectTypeOf(loadConfig).returns.resolves.toEqualTypeOf<LoadedConfig>();
    expectTypeOf<LoadedConfig>().toEqualTypeOf<{
      config: ServiceCallerConfig;
      files: string[];
      profile: string | undefined;
      warnings: string[];
    }>();
    expectTypeOf(redactConfig).toEqualTypeOf<(config: ServiceCallerConfig) => ServiceCallerConfig>();
    expectTypeOf(selectedRegistry).returns.toEqualTypeOf<'nacos' | 'consul' | 'static'>();
  });

  it('accepts the documented input shape, strings from env included', () => {
    const input = {
      serviceCaller: { lbType: 'random' },
      appRegistry: { nacos: { serverAddr: '127.0.0.1:8848', port: 9999 }, static: { services: {} } },
    } satisfies ServiceCallerConfigInput;
    expectTypeOf(input).toExtend<ServiceCallerConfigInput>();
  });
});
