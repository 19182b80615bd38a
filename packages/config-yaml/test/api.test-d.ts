import type { Logger } from '@service-caller/core';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  type ConfigSourceFactory,
  type CryptoOptions,
  type LoadConfigOptions,
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
    expectTypeOf<LoadConfigOptions<undefined>>().toEqualTypeOf<{
      dir: string;
      profile?: string;
      extendProfiles?: string | readonly string[];
      mergeLists?: boolean;
      strict?: boolean;
      crypto?: CryptoOptions;
      schema?: undefined;
      configSources?: { nacos?: ConfigSourceFactory };
      env?: Record<string, string | undefined>;
      cwd?: string;
      logger?: Logger;
    }>();
    expectTypeOf(loadConfig({ dir: '.' })).resolves.toEqualTypeOf<LoadedConfig>();
    expectTypeOf<LoadedConfig>().toEqualTypeOf<{
      config: ServiceCallerConfig;
      merged: { readonly [key: string]: unknown };
      files: string[];
      profile: string | undefined;
      warnings: string[];
    }>();
    expectTypeOf(redactConfig<ServiceCallerConfig>).toEqualTypeOf<
      (config: ServiceCallerConfig) => ServiceCallerConfig
    >();
    expectTypeOf(selectedRegistry).returns.toEqualTypeOf<'nacos' | 'consul' | 'static'>();
  });

  it('types merged by the schema given, read-only', () => {
    const schema = z.object({ 'my-app': z.object({ greeting: z.string(), ports: z.array(z.number()) }) });
    const loaded = loadConfig({ dir: '.', schema });
    expectTypeOf(loaded).resolves.toHaveProperty('merged').toEqualTypeOf<{
      readonly 'my-app': { readonly greeting: string; readonly ports: readonly number[] };
    }>();
  });

  it('accepts the documented input shape, strings from env included', () => {
    const input = {
      serviceCaller: { lbType: 'random' },
      appRegistry: { nacos: { serverAddr: '127.0.0.1:8848', port: 9999 }, static: { services: {} } },
    } satisfies ServiceCallerConfigInput;
    expectTypeOf(input).toExtend<ServiceCallerConfigInput>();
  });
});
