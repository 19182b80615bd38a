import type { Logger, ServiceRegistry } from '@service-caller/core';
import { ConfigError } from '@service-caller/core';
import type { Wiring } from './wiring.js';

/** The registries that live in their own optional packages. */
export type AdapterKind = 'nacos' | 'consul';

const ADAPTERS: Readonly<Record<AdapterKind, { packageName: string; factory: string }>> = {
  nacos: { packageName: '@service-caller/registry-nacos', factory: 'nacosRegistry' },
  consul: { packageName: '@service-caller/registry-consul', factory: 'consulRegistry' },
};

type RegistryFactory = (options: Record<string, unknown>) => ServiceRegistry;

/**
 * Loads the adapter package the config selects and builds its registry from the camelCase config
 * section plus `{ logger }`. The package is an optional peer: when it is missing, the error says
 * which package to install.
 */
export async function createAdapterRegistry(
  kind: AdapterKind,
  section: object,
  context: { logger: Logger; source: string; wiring: Wiring },
): Promise<ServiceRegistry> {
  const { packageName, factory: factoryName } = ADAPTERS[kind];
  const factory = await importAdapterExport(packageName, factoryName, `app-registry.${kind}`, context);
  return (factory as RegistryFactory)({ ...section, logger: context.logger });
}

/**
 * Loads an optional adapter package and returns one of its exported functions. When the package
 * is missing or lacks the export, the `ConfigError` names the key that needs it (`keyPath`) and
 * the package to install.
 */
export async function importAdapterExport(
  packageName: string,
  factoryName: string,
  keyPath: string,
  context: { source: string; wiring: Wiring },
): Promise<(...args: never[]) => unknown> {
  let loaded: unknown;
  try {
    loaded = await context.wiring.importModule(packageName);
  } catch (error) {
    if (isNotFound(error, packageName)) {
      throw new ConfigError(
        {
          file: context.source,
          keyPath,
          expected: `the package ${packageName} to be installed`,
          found: 'it is not installed',
          hint: `run \`npm install ${packageName}\` (or pnpm add / yarn add)`,
        },
        { cause: error },
      );
    }
    throw new ConfigError(
      {
        file: context.source,
        keyPath,
        expected: `the package ${packageName} to load`,
        found: `an error while loading it: ${error instanceof Error ? error.message : String(error)}`,
      },
      { cause: error },
    );
  }
  const factory = exportOf(loaded, factoryName);
  if (typeof factory !== 'function') {
    throw new ConfigError({
      file: context.source,
      keyPath,
      expected: `${packageName} to export ${factoryName}()`,
      found: 'no such export',
      hint: `install a version of ${packageName} that matches @service-caller/caller`,
    });
  }
  return factory as (...args: never[]) => unknown;
}

function exportOf(module: unknown, name: string): unknown {
  if (typeof module !== 'object' || module === null) return undefined;
  const direct = (module as Record<string, unknown>)[name];
  if (direct !== undefined) return direct;
  // A CommonJS build seen through `import()` puts its exports on `default`.
  const fallback = (module as { default?: unknown }).default;
  return typeof fallback === 'object' && fallback !== null
    ? (fallback as Record<string, unknown>)[name]
    : undefined;
}

/** Whether `error` says that `packageName` itself (not one of its dependencies) is missing. */
function isNotFound(error: unknown, packageName: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return typeof message === 'string' && message.includes(`'${packageName}'`);
}
