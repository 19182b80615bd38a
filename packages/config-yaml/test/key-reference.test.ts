import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type KeyNode, ROOT_KEYS } from '../src/keys.js';
import { configSchema } from '../src/schema.js';
import { keyRows, renderKeyTable } from './key-table.js';

/** The little of zod's internals this test reads to walk the schema's shape. */
interface ZodLike {
  _zod: { def: { type: string; [key: string]: unknown } };
}

/** Looks through optional / default / prefault / preprocess / transform wrappers. */
function unwrap(schema: ZodLike): ZodLike {
  const def = schema._zod.def;
  if (['optional', 'default', 'prefault', 'nullable'].includes(def.type))
    return unwrap(def.innerType as ZodLike);
  if (def.type === 'pipe') {
    const input = unwrap(def.in as ZodLike);
    return input._zod.def.type === 'transform' ? unwrap(def.out as ZodLike) : input;
  }
  return schema;
}

/** Every key path of the schema, as camelCase paths with `*` for user-named keys and `[]` for lists. */
function schemaPaths(schema: ZodLike, prefix = ''): string[] {
  const inner = unwrap(schema);
  const def = inner._zod.def;
  if (def.type === 'object') {
    return Object.entries(def.shape as Record<string, ZodLike>).flatMap(([name, child]) => {
      const path = prefix === '' ? name : `${prefix}.${name}`;
      return [path, ...schemaPaths(child, path)];
    });
  }
  if (def.type === 'record') {
    const values = schemaPaths(def.valueType as ZodLike, `${prefix}.*`);
    return values;
  }
  if (def.type === 'array') return schemaPaths(def.element as ZodLike, `${prefix}[]`);
  return [];
}

/** The same paths, from the key reference. */
function referencePaths(node: KeyNode, prefix = ''): string[] {
  if (node.kind === 'section') {
    return node.keys.flatMap((entry) => {
      const path = prefix === '' ? entry.camel : `${prefix}.${entry.camel}`;
      return [path, ...referencePaths(entry.node, path)];
    });
  }
  if (node.kind === 'map') return referencePaths(node.value, `${prefix}.*`);
  if (node.kind === 'list') return referencePaths(node.item, `${prefix}[]`);
  return [];
}

/** The key rows of a Markdown table, cells trimmed: rows whose first cell is a config key. */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) =>
      /^\|\s*`(service-caller|app-registry|config-sources|profile|extend-profiles)/.test(line),
    )
    .map((line) =>
      line
        .trim()
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\s+/g, ' ')),
    );
}

describe('the key reference', () => {
  it('names exactly the keys the schema validates, in the same order', () => {
    const fromSchema = schemaPaths(configSchema as unknown as ZodLike);
    expect(fromSchema.length).toBeGreaterThan(40);
    expect(referencePaths(ROOT_KEYS)).toEqual(fromSchema);
  });

  it('holds the seed keys, kebab-case', () => {
    const paths = keyRows().map((row) => row.path);
    for (const key of ['lb-type', 'connection-timeout', 'read-timeout', 'connection-pool-size']) {
      expect(paths).toContain(`service-caller.${key}`);
    }
    for (const key of [
      'server-addr',
      'namespace',
      'cluster',
      'group',
      'ip',
      'port',
      'app-name',
      'username',
      'password',
      'weight',
    ]) {
      expect(paths).toContain(`app-registry.nacos.${key}`);
    }
  });

  it('is the table in the README, row for row (however the table is aligned)', async () => {
    const whole = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    // The key table is the one in the "Key reference" section (the options table has keys too).
    const start = whole.indexOf('## Key reference');
    const readme = whole.slice(start, whole.indexOf('\n## ', start + 1));
    expect(tableRows(readme)).toEqual(tableRows(renderKeyTable()));
    expect(tableRows(readme)).toHaveLength(keyRows().length);
  });
});
