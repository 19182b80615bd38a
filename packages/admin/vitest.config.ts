import type { ConfigEnv, UserConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared';

const shared = packageTestConfig() as (env: ConfigEnv) => UserConfig;
/**
 * The shared setup, without the `import` condition: vitest passes the conditions on to its
 * workers (`--conditions import`), and there Node's own `require` of a package with
 * import/require exports gets the ESM build (Express's router got is-promise's module
 * namespace: "isPromise is not a function"). Vite adds `import` to ESM imports by itself.
 */
export default (env: ConfigEnv): UserConfig => {
  const config = shared(env);
  const drop = (conditions: string[] | undefined) => conditions?.filter((c) => c !== 'import');
  return {
    ...config,
    resolve: { ...config.resolve, conditions: drop(config.resolve?.conditions) },
    ssr: {
      ...config.ssr,
      resolve: { ...config.ssr?.resolve, conditions: drop(config.ssr?.resolve?.conditions) },
    },
  };
};
