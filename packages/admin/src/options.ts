import { ConfigError } from '@service-caller/core';

/**
 * Options of {@link createAdminHandler}.
 *
 * @example
 * ```ts
 * createAdminHandler(manager, { basePath: '/admin', refreshSeconds: 2, services: ['user-service'] });
 * ```
 */
export interface AdminHandlerOptions {
  /**
   * The path the page and the endpoints live under, as the browser sees it: `/admin` serves
   * `/admin/`, `/admin/services` and `/admin/config`. Starts with `/`, no trailing `/`; letters,
   * digits and `-._~/`. Requests outside it go to `next` when the handler is given one (Express
   * middleware), else get a 404.
   * @default '' (the root)
   */
  basePath?: string;
  /** How often the page fetches `/services` again, in seconds (1 to 3600). @default 5 */
  refreshSeconds?: number;
  /** The page's title, shown as text (escaped). @default 'service-caller' */
  title?: string;
  /**
   * Services to show even before the engine has called them: their instances come from the
   * source's `registry` (what discovery sees), with no figures until calls go there.
   * @default [] (only the services the engine has called)
   */
  services?: readonly string[];
  /**
   * The effective config `GET /config` shows (secrets masked). @default the source's `settings`
   * (a `ServiceManager`'s); without either, `/config` answers 404
   */
  config?: unknown;
  /** Milliseconds a registry lookup for `services` may take before the page shows it as failed. @default 2000 */
  registryTimeout?: number;
}

/** The options with defaults applied: the one place defaults live. */
export interface NormalizedAdminOptions {
  readonly basePath: string;
  readonly refreshSeconds: number;
  readonly title: string;
  readonly services: readonly string[];
  readonly config: unknown;
  readonly registryTimeout: number;
}

const FILE = '<createAdminHandler options>';
const BASE_PATH = /^(\/[A-Za-z0-9\-._~]+)*$/;

/** Validates the options and applies the defaults. Throws `ConfigError` naming the bad option. */
export function normalizeOptions(options: AdminHandlerOptions = {}, file = FILE): NormalizedAdminOptions {
  if (typeof options !== 'object' || options === null) bad(file, '', 'an options object', options);
  const {
    basePath = '',
    refreshSeconds = 5,
    title = 'service-caller',
    services = [],
    config,
    registryTimeout = 2000,
  } = options;
  if (typeof basePath !== 'string' || !BASE_PATH.test(basePath)) {
    bad(file, 'basePath', "'' or a path like '/admin' (no trailing '/'; letters, digits, -._~)", basePath);
  }
  if (typeof refreshSeconds !== 'number' || !(refreshSeconds >= 1 && refreshSeconds <= 3600)) {
    bad(file, 'refreshSeconds', 'a number of seconds from 1 to 3600', refreshSeconds);
  }
  if (typeof title !== 'string' || title.length > 200)
    bad(file, 'title', 'a string of at most 200 characters', title);
  if (!Array.isArray(services) || !services.every((s) => typeof s === 'string' && s.trim() !== '')) {
    bad(file, 'services', 'a list of service names', services);
  }
  if (typeof registryTimeout !== 'number' || !(registryTimeout >= 1 && registryTimeout <= 600_000)) {
    bad(file, 'registryTimeout', 'a number of milliseconds from 1 to 600000', registryTimeout);
  }
  return { basePath, refreshSeconds, title, services: [...new Set(services)], config, registryTimeout };
}

/** Throws the `ConfigError` for a bad option value. */
export function bad(file: string, keyPath: string, expected: string, found: unknown): never {
  throw new ConfigError({ file, keyPath, expected, found: kindOf(found) });
}

/** A short description of a wrong value: short scalars as they are, objects by their kind. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}
