import { type KeyNode, ROOT_KEYS } from '../src/keys.js';

/** One documented key: its full YAML path and its docs. */
export interface KeyRow {
  path: string;
  type: string;
  default: string;
  meaning: string;
}

/** Every key of the reference, depth first, as the README table lists them. */
export function keyRows(node: KeyNode = ROOT_KEYS, prefix = ''): KeyRow[] {
  const rows: KeyRow[] = [];
  if (node.kind === 'section') {
    for (const entry of node.keys) {
      const path = prefix === '' ? entry.name : `${prefix}.${entry.name}`;
      rows.push({ path, type: entry.type, default: entry.default ?? '', meaning: entry.meaning });
      rows.push(...keyRows(entry.node, path));
    }
  } else if (node.kind === 'map') {
    rows.push(...keyRows(node.value, `${prefix}.${node.label}`));
  } else if (node.kind === 'list') {
    rows.push(...keyRows(node.item, `${prefix}[]`));
  }
  return rows;
}

/** The Markdown key reference table. */
export function renderKeyTable(): string {
  const lines = ['| Key | Type | Default | Meaning |', '|---|---|---|---|'];
  for (const row of keyRows()) {
    // Defaults in parentheses describe a behaviour ("(required)"), the others are values.
    const fallback = row.default === '' || row.default.startsWith('(') ? row.default : `\`${row.default}\``;
    lines.push(`| \`${row.path}\` | ${row.type} | ${fallback} | ${row.meaning} |`);
  }
  return lines.join('\n');
}
