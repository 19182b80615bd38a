import { runPortable } from './entry-portable.js';

/*
 * The matrix on workerd, run by `workerd test`: the worker's `test` handler runs the portable
 * matrix against the fixture server whose URL the config binds as FIXTURES_URL. Bundled for
 * workerd with no compatibility flags: no Node module is available, so none may be imported.
 */

/** workerd's fetch takes no CA: a private CA cannot be trusted from inside a worker. */
const EXCLUDE = {
  'transport conformance: fetch > https > talks to an https server whose CA it was given':
    "workerd's fetch has no option to trust a private CA",
};

export default {
  async test(_controller: unknown, env: { FIXTURES_URL: string; WORKERD_VERSION: string }): Promise<void> {
    const { failed } = await runPortable(env.FIXTURES_URL, `workerd ${env.WORKERD_VERSION}`, EXCLUDE);
    if (failed > 0) throw new Error(`${failed} test(s) failed on workerd`);
  },
};
