import { posix } from 'node:path';

/** The fields of a packed package.json that these checks read. */
export interface PackedManifest {
  readonly name?: string;
  readonly version?: string;
  readonly license?: string;
  readonly main?: string;
  readonly module?: string;
  readonly types?: string;
  readonly typings?: string;
  readonly bin?: string | Record<string, string>;
  readonly exports?: unknown;
  readonly repository?: { readonly url?: string; readonly directory?: string } | string;
  readonly homepage?: string;
  readonly bugs?: { readonly url?: string } | string;
  readonly [field: string]: unknown;
}

/** One file a manifest points at, and the field that does (`exports["."].import.types`). */
export interface EntryPoint {
  readonly field: string;
  /** Relative to the package root, without `./`. */
  readonly path: string;
}

/** `./dist/x.js` -> `dist/x.js`. */
export function packagePath(target: string): string {
  return posix.normalize(target).replace(/^\.\//, '');
}

function exportTargets(value: unknown, field: string, out: EntryPoint[]): void {
  if (typeof value === 'string') out.push({ field, path: packagePath(value) });
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) exportTargets(item, `${field}[${i}]`, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value))
      exportTargets(item, `${field}[${JSON.stringify(key)}]`, out);
  }
}

/** Every file the manifest names: `exports` (all conditions), `main`, `module`, `types`, `bin`. */
export function entryPoints(manifest: PackedManifest): EntryPoint[] {
  const out: EntryPoint[] = [];
  exportTargets(manifest.exports, 'exports', out);
  for (const field of ['main', 'module', 'types', 'typings'] as const) {
    const target = manifest[field];
    if (typeof target === 'string') out.push({ field, path: packagePath(target) });
  }
  if (typeof manifest.bin === 'string') out.push({ field: 'bin', path: packagePath(manifest.bin) });
  else
    for (const [name, target] of Object.entries(manifest.bin ?? {}))
      out.push({ field: `bin.${name}`, path: packagePath(target) });
  return out;
}

/** The paths of every `source` condition in `exports`, at any depth (`exports["."].source`). */
export function sourceConditions(exports: unknown, field = 'exports'): string[] {
  if (typeof exports !== 'object' || exports === null) return [];
  return Object.entries(exports).flatMap(([key, value]) => {
    const here = `${field}[${JSON.stringify(key)}]`;
    return [...(key === 'source' ? [here] : []), ...sourceConditions(value, here)];
  });
}
