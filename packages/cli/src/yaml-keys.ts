/** Maps whose keys the user chose (service names, metadata keys): printed as written. */
const USER_KEYED = new Set(['services', 'metadata', 'meta']);

/**
 * The typed config (camelCase) with its keys as the YAML files spell them (`lbType` ->
 * `lb-type`), so `service-caller config` prints what a user would write. Keys the user chose
 * (service names under `services`, keys under `metadata` / `meta`) are left as they are.
 */
export function toYamlKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toYamlKeys);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const converted =
      USER_KEYED.has(key) && isPlainObject(item)
        ? Object.fromEntries(Object.entries(item).map(([name, v]) => [name, toYamlKeys(v)]))
        : toYamlKeys(item);
    define(out, kebabCase(key), converted);
  }
  return out;
}

function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets a key even when it is `__proto__` (a service could be called anything). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
