import { describe, expect, it } from 'vitest';
import * as adapter from '../src/adapter.js';
import * as chainFolder from '../src/chain/index.js';
import * as engineFolder from '../src/engine/index.js';
import * as root from '../src/index.js';
import * as node from '../src/node.js';

/** What adapter authors import from `@service-caller/core/adapter`, and applications never need. */
const ADAPTER_ONLY = [
  'InterceptorChain',
  'runBeforeRequest',
  'runAfterResponse',
  'runHandleException',
  'runBeforeAttempt',
  'runAfterAttempt',
  'createRequestContext',
  'startAttempt',
  'finishAttempt',
  'BufferedResponseBase',
  'optionReader',
  'describeValue',
  'describeKind',
  'sameInstance',
  'hasHeader',
  'withoutQuery',
  'secretNames',
  'isSecretName',
  'maskQueryValues',
  'maskUserInfo',
  'maskByKey',
] as const;

/** The per-method builders of 0.1, replaced by `endpoint.get(...)` and friends. */
const REMOVED_BUILDERS = ['get', 'post', 'put', 'patch', 'del', 'head', 'options'] as const;

describe('the root export (@service-caller/core)', () => {
  it.each(ADAPTER_ONLY)('does not export the adapter helper %s', (name) => {
    expect(root).not.toHaveProperty(name);
  });

  it.each(REMOVED_BUILDERS)('does not export a bare %s() builder that reads like a call', (name) => {
    expect(root).not.toHaveProperty(name);
  });

  it('does not export detectHostAddress, which needs node:os', () => {
    expect(root).not.toHaveProperty('detectHostAddress');
  });

  it('exports everything else the engine folder does (the named list there has not gone stale)', () => {
    const expected = Object.keys(engineFolder).filter(
      (name) => !(ADAPTER_ONLY as readonly string[]).includes(name),
    );
    expect(expected.length).toBeGreaterThan(0);
    for (const name of expected) expect(root, name).toHaveProperty(name);
  });

  it('exports what applications use', () => {
    for (const name of [
      'endpoint',
      'createClient',
      'createCallEngine',
      'staticRegistry',
      'roundRobin',
      'ConfigError',
      'HTTP_METHODS',
      'isHttpMethod',
      'filterInstances',
      'registerLoadBalancer',
      'loadBalancerNames',
      'pickContext',
      'ResponseTooLargeError',
      'DEFAULT_MAX_RESPONSE_SIZE',
    ]) {
      expect(root, name).toHaveProperty(name);
    }
  });
});

describe('@service-caller/core/adapter', () => {
  it.each(ADAPTER_ONLY)('exports %s', (name) => {
    expect(typeof (adapter as Record<string, unknown>)[name]).toBe('function');
  });

  it('exports every stage runner and the chain the chain folder has', () => {
    for (const name of Object.keys(chainFolder)) expect(adapter, name).toHaveProperty(name);
  });

  it('shares its classes with the root: an error from an adapter helper is the root ConfigError', () => {
    const read = adapter.optionReader('<test>');
    expect(() => read.port('x', 'port')).toThrow(root.ConfigError);
  });
});

describe('@service-caller/core/node', () => {
  it('exports detectHostAddress', () => {
    expect(typeof node.detectHostAddress).toBe('function');
  });
});
