import type { StandardSchemaV1 } from '@standard-schema/spec';
import { formatKeyPath, type PathSegment } from './key-path.js';
import {
  type LoadConfigOptions,
  type MergedOf,
  openConfig,
  recompose,
  writeSnapshot,
} from './load-config.js';
import { isPlainMap } from './merge.js';
import type { LoadedConfig } from './types.js';

/** One change of the merged config. */
export interface ConfigChange<Merged> {
  /** The config now. */
  readonly current: LoadedConfig<Merged>;
  /** The config before the change. */
  readonly previous: LoadedConfig<Merged>;
  /** Key paths whose values changed, as written in YAML (`app.greeting`), at most 100. */
  readonly changed: readonly string[];
}

/** A config that follows its config sources: `current` is replaced on each change. */
export interface LiveConfig<Merged> {
  /** The config as it is now. */
  readonly current: LoadedConfig<Merged>;
  /** Calls `listener` after each change; returns a function that removes it. */
  onChange(listener: (change: ConfigChange<Merged>) => void): () => void;
  /** Stops watching and closes the config sources. Safe to call more than once. */
  close(): Promise<void>;
}

/** Sections read once, at start: a change to them is reported, not applied. */
const START_ONLY = ['service-caller', 'app-registry', 'config-sources', 'profile', 'extend-profiles'];
const MAX_CHANGED = 100;

/**
 * Loads the config like `loadConfig` and, when a config source has `auto-refresh` (the default),
 * keeps watching it: each change of an import is merged again over the local files (which are
 * read once), validated, and published as `current` and to the `onChange` listeners. A change
 * that makes the config invalid is logged as an error and not applied; `current` stays as it was.
 *
 * This project's own sections (`service-caller`, `app-registry`) take effect at start only: a
 * change to them in a config source is logged as a warning and is visible in `current`, but the
 * running manager keeps the settings it started with.
 *
 * @example
 * ```ts
 * await using live = await watchConfig({ dir: './config', configSources: { nacos: nacosConfigSource } });
 * live.onChange(({ current, changed }) => console.log(changed, current.merged));
 * ```
 */
export async function watchConfig<Schema extends StandardSchemaV1 | undefined = undefined>(
  options: LoadConfigOptions<Schema>,
): Promise<LiveConfig<MergedOf<Schema>> & AsyncDisposable> {
  const opened = await openConfig(options);
  type Merged = MergedOf<Schema>;
  const listeners = new Set<(change: ConfigChange<Merged>) => void>();
  let closed = false;
  let stop: (() => void) | undefined;
  // Changes are applied one at a time, in the order they arrive.
  let queue = Promise.resolve();

  const apply = async (documents: Parameters<typeof recompose>[1]) => {
    if (closed) return;
    let next: LoadedConfig<Merged>;
    try {
      next = (await recompose(opened, documents)) as LoadedConfig<Merged>;
    } catch (error) {
      opened.logger.error(
        `config-sources.nacos: a change was not applied, the config keeps its previous values: ${error instanceof Error ? error.message : String(error)}`,
        {},
      );
      return;
    }
    const previous = opened.loaded;
    const changed = changedPaths(previous.merged, next.merged);
    if (changed.length === 0 || closed) return;
    opened.loaded = next;
    if (opened.snapshot !== undefined) await writeSnapshot(opened, documents);
    const startOnly = changed.filter((path) =>
      START_ONLY.some((key) => path === key || path.startsWith(`${key}.`)),
    );
    if (startOnly.length > 0) {
      opened.logger.warn(
        `config-sources.nacos: ${startOnly.join(', ')} changed; these settings take effect at the next start`,
        { keyPaths: startOnly },
      );
    }
    const change: ConfigChange<Merged> = { current: next, previous, changed };
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch (error) {
        opened.logger.error(
          `a config change listener threw: ${error instanceof Error ? error.message : String(error)}`,
          {},
        );
      }
    }
  };

  if (opened.source?.watch !== undefined && opened.settings?.autoRefresh === true) {
    stop = opened.source.watch(
      (documents) => {
        queue = queue.then(() => apply(documents));
      },
      (error) =>
        opened.logger.warn(
          `config-sources.nacos: watching the imports failed, retrying: ${error instanceof Error ? error.message : String(error)}`,
          {},
        ),
    );
  } else if (opened.source !== undefined) {
    // Without auto-refresh the source is not needed after the first fetch.
    await opened.source.close();
  }

  const close = async () => {
    if (closed) return;
    closed = true;
    stop?.();
    listeners.clear();
    await queue;
    await opened.source?.close();
  };
  return {
    get current() {
      return opened.loaded as LoadedConfig<Merged>;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Key paths of the leaves that differ between two trees (a list that differs counts as one leaf). */
export function changedPaths(before: unknown, after: unknown): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: PathSegment[]) => {
    if (out.length >= MAX_CHANGED || Object.is(a, b)) return;
    const bothLists = Array.isArray(a) && Array.isArray(b);
    if (isPlainMap(a) || isPlainMap(b)) {
      // A map that appears or goes: each of its leaves changed.
      const left = isPlainMap(a) ? a : {};
      const right = isPlainMap(b) ? b : {};
      if (!isPlainMap(a) && a !== undefined) out.push(formatKeyPath(path));
      if (!isPlainMap(b) && b !== undefined) out.push(formatKeyPath(path));
      const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
      for (const key of keys) walk(left[key], right[key], [...path, key]);
    } else if (bothLists && a.length === b.length) {
      for (let i = 0; i < a.length; i++) walk(a[i], b[i], [...path, i]);
    } else {
      out.push(formatKeyPath(path));
    }
  };
  walk(before, after, []);
  return out;
}
