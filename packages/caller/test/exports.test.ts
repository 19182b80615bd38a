import { describe, expect, it } from 'vitest';
import * as caller from '../src/index.js';

describe('@service-caller/caller exports', () => {
  it('has the endpoint builder and no bare get/post/del builders that read like calls', () => {
    expect(typeof caller.endpoint.get).toBe('function');
    for (const name of ['get', 'post', 'put', 'patch', 'del', 'head', 'options']) {
      expect(caller, name).not.toHaveProperty(name);
    }
  });

  it("re-exports only core's root: the adapter and Node-only helpers stay on their subpaths", () => {
    for (const name of [
      'InterceptorChain',
      'runBeforeRequest',
      'createRequestContext',
      'optionReader',
      'detectHostAddress',
    ]) {
      expect(caller, name).not.toHaveProperty(name);
    }
  });
});
