import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';

/**
 * The READMEs' code blocks as consumers (issue #18): every `ts`, `js` and `yaml` block of the root
 * README and of `packages/<name>/README.md`, written as one consumer project, so that a README
 * that drifts from the code fails pack-check. What a block needs is said by an HTML comment just
 * before it (invisible on the rendered page); the forms are in docs/releasing.md.
 */

/** How a block's fence names its language, and what it becomes. */
const LANGS: Record<string, ReadmeBlock['lang']> = {
  ts: 'ts',
  typescript: 'ts',
  js: 'js',
  javascript: 'js',
  yaml: 'yaml',
  yml: 'yaml',
};

/** What the comment before a block says about it. */
export interface BlockMarker {
  /** `skip <why>`: not extracted at all (a block that is not code a user runs). */
  readonly skip?: string;
  /** `typecheck-only <why>` or `needs <what>`: type-checked, not run (YAML: not loaded). */
  readonly notRun?: string;
  /** `file <path>`: a YAML block is also written at this path of the project (`config/application.yaml`). */
  readonly file?: string;
  /** `fails <mode> on <node>: <text>`: a run that must fail, as a consumer's `@pack-check fails` line. */
  readonly fails: readonly string[];
  /** The comment's further lines: code put before the block (declarations a fragment relies on). */
  readonly prelude: string;
}

/** One fenced code block of a README. */
export interface ReadmeBlock {
  /** The README, relative to the workspace root (`packages/core/README.md`). */
  readonly readme: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: 'ts' | 'js' | 'yaml';
  readonly code: string;
  readonly marker: BlockMarker;
}

const FENCE = /^ {0,3}(```+|~~~+)\s*([\w+-]*)/;
const MARKER_START = /^\s*<!--\s*pack-check:(.*)$/;

/** Parses the items of a marker's first line (`typecheck-only; fails stripped on node22: X`). */
export function parseMarker(firstLine: string, prelude: string, where: string): BlockMarker {
  const items = firstLine
    .replace(/-->\s*$/, '')
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new Error(`${where}: a pack-check marker with nothing in it`);
  let skip: string | undefined;
  let notRun: string | undefined;
  let file: string | undefined;
  const fails: string[] = [];
  for (const item of items) {
    const [word = '', ...rest] = item.split(/\s+/);
    // `typecheck-only (a fragment)`: the parentheses are for the README's reader.
    const text = rest
      .join(' ')
      .trim()
      .replace(/^\((.*)\)$/, '$1');
    // `runs`: the default, for a marker that is there for its prelude alone.
    if (word === 'runs') continue;
    if (word === 'skip' && text !== '') skip = text;
    else if (word === 'typecheck-only') notRun = text === '' ? 'typecheck-only' : text;
    else if (word === 'needs' && text !== '') notRun = `needs ${text}`;
    else if (word === 'file' && text !== '') {
      if (isAbsolute(text) || normalize(text).startsWith('..')) {
        throw new Error(`${where}: 'file ${text}' must be a path inside the project`);
      }
      file = normalize(text);
    } else if (word === 'fails' && text !== '') fails.push(text);
    else {
      throw new Error(
        `${where}: expected 'runs', 'skip <why>', 'typecheck-only [why]', 'needs <what>', 'file <path>' or 'fails <mode> on <node>: <text>', found '${item}'`,
      );
    }
  }
  return {
    ...(skip === undefined ? {} : { skip }),
    ...(notRun === undefined ? {} : { notRun }),
    ...(file === undefined ? {} : { file }),
    fails,
    prelude,
  };
}

/**
 * The `ts`, `js` and `yaml` blocks of one README, each with the marker of the comment just before
 * it (blank lines between allowed). A marker that no block follows is an error: it would say
 * nothing about anything, and a block that lost its marker would be checked as it stands.
 */
export function extractBlocks(markdown: string, readme: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let pending: { marker: BlockMarker; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const fence = FENCE.exec(line);
    if (fence !== null) {
      const close = fence[1] as string;
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !(lines[i] as string).trimStart().startsWith(close); i++) {
        body.push(lines[i] as string);
      }
      if (i >= lines.length) throw new Error(`${readme}:${start + 1}: a code block that is never closed`);
      const lang = LANGS[(fence[2] as string).toLowerCase()];
      if (lang !== undefined) {
        blocks.push({
          readme,
          line: start + 1,
          lang,
          code: `${body.join('\n')}\n`,
          marker: pending?.marker ?? { fails: [], prelude: '' },
        });
      } else if (pending !== undefined) {
        throw new Error(
          `${readme}:${pending.line}: a pack-check marker before a '${fence[2] || 'plain'}' block, which is not checked`,
        );
      }
      pending = undefined;
      continue;
    }
    const start = MARKER_START.exec(line);
    if (start !== null) {
      if (pending !== undefined)
        throw new Error(`${readme}:${pending.line}: a pack-check marker with no code block after it`);
      const where = `${readme}:${i + 1}`;
      const first = start[1] as string;
      const prelude: string[] = [];
      if (!first.includes('-->')) {
        for (i++; i < lines.length && !(lines[i] as string).includes('-->'); i++)
          prelude.push(lines[i] as string);
        if (i >= lines.length) throw new Error(`${where}: a pack-check marker that is never closed (-->)`);
      }
      pending = {
        marker: parseMarker(first, prelude.length === 0 ? '' : `${prelude.join('\n')}\n`, where),
        line: i + 1,
      };
      continue;
    }
    if (pending !== undefined && line.trim() !== '') {
      throw new Error(`${readme}:${pending.line}: a pack-check marker with no code block right after it`);
    }
  }
  if (pending !== undefined)
    throw new Error(`${readme}:${pending.line}: a pack-check marker with no code block after it`);
  return blocks;
}

/** The file name a block gets: `core-L337.ts` for packages/core/README.md line 337, `root-L12.ts` for README.md. */
export function blockName(block: ReadmeBlock): string {
  const slug =
    block.readme === 'README.md'
      ? 'root'
      : block.readme
          .replace(/^packages\//, '')
          .replace(/\/README\.md$/, '')
          .replace(/[^\w-]+/g, '-');
  return `${slug}-L${block.line}`;
}

/** The text of a `ts` or `js` block's consumer file. */
export function consumerText(block: ReadmeBlock): string {
  const head = [`// ${block.readme}:${block.line}, extracted by pack-check (edit the README, not this file)`];
  if (block.marker.notRun !== undefined) head.push(`// @pack-check typecheck-only: ${block.marker.notRun}`);
  for (const fails of block.marker.fails) head.push(`// @pack-check fails ${fails}`);
  // `export {}` makes a block without imports a module, so blocks do not share one global scope.
  return `${head.join('\n')}\n${block.marker.prelude}${block.code}export {};\n`;
}

/** What the generated project's YAML check loads. */
interface YamlEntry {
  readonly where: string;
  readonly dir: string;
}

// Each YAML block is an application.yaml of its own folder, loaded by config-yaml's own loader as
// a user's would be: a block that stopped being a valid config fails, with the README's line.
function yamlCheck(entries: readonly YamlEntry[]): string {
  return `// The READMEs' YAML blocks, each loaded by config-yaml's loadConfig (generated by pack-check).
import { loadConfig } from '@service-caller/config-yaml';

const blocks: { where: string; dir: string }[] = ${JSON.stringify(entries, null, 2)};
let failed = 0;
for (const block of blocks) {
  try {
    await loadConfig({ dir: block.dir, logger: { debug() {}, info() {}, warn() {}, error() {} } });
  } catch (error) {
    failed++;
    console.error(\`\${block.where}: \${(error as Error).message}\`);
  }
}
console.log(\`\${blocks.length - failed} of \${blocks.length} YAML blocks load\`);
if (failed > 0) process.exitCode = 1;
`;
}

/** What {@link writeReadmeProject} wrote, for the report. */
export interface ReadmeProjectSummary {
  readonly dir: string;
  readonly blocks: number;
  readonly run: number;
  readonly notRun: readonly string[];
  readonly skipped: readonly string[];
}

/**
 * Writes the blocks as one consumer project in `dir`: a file per `ts`/`js` block, each YAML block
 * as `yaml/<name>/application.yaml` (and at its `file` path), `readme-yaml.ts` loading them, and
 * the `project.json`: every package, Node 22's types and the libraries the READMEs import.
 */
export async function writeReadmeProject(
  blocks: readonly ReadmeBlock[],
  dir: string,
  dependencies: Readonly<Record<string, string>>,
): Promise<ReadmeProjectSummary> {
  await mkdir(dir, { recursive: true });
  const yaml: YamlEntry[] = [];
  const files = new Map<string, string>();
  const notRun: string[] = [];
  const skipped: string[] = [];
  let run = 0;
  for (const block of blocks) {
    const where = `${block.readme}:${block.line}`;
    if (block.marker.skip !== undefined) {
      skipped.push(`${where} (${block.marker.skip})`);
      continue;
    }
    const name = blockName(block);
    if (block.lang === 'yaml') {
      if (block.marker.fails.length > 0) throw new Error(`${where}: 'fails' is for ts/js blocks, not YAML`);
      if (block.marker.file !== undefined) {
        const other = files.get(block.marker.file);
        if (other !== undefined) throw new Error(`${where}: 'file ${block.marker.file}' is already ${other}`);
        files.set(block.marker.file, where);
        await mkdir(join(dir, dirname(block.marker.file)), { recursive: true });
        await writeFile(join(dir, block.marker.file), block.code);
      }
      if (block.marker.notRun !== undefined) {
        notRun.push(`${where} (${block.marker.notRun})`);
        continue;
      }
      await mkdir(join(dir, 'yaml', name), { recursive: true });
      await writeFile(join(dir, 'yaml', name, 'application.yaml'), block.code);
      yaml.push({ where, dir: `./yaml/${name}` });
      continue;
    }
    if (block.marker.file !== undefined) throw new Error(`${where}: 'file' is for YAML blocks`);
    await writeFile(join(dir, `${name}.${block.lang === 'ts' ? 'ts' : 'mjs'}`), consumerText(block));
    if (block.marker.notRun !== undefined) notRun.push(`${where} (${block.marker.notRun})`);
    else run++;
  }
  if (yaml.length > 0) await writeFile(join(dir, 'readme-yaml.ts'), yamlCheck(yaml));
  await writeFile(
    join(dir, 'project.json'),
    `${JSON.stringify(
      {
        description: `the READMEs' code blocks (${blocks.length}: ${run} ts/js run, ${yaml.length} YAML loaded, ${notRun.length} type-checked or written only, ${skipped.length} skipped)`,
        packages: 'all',
        dependencies,
        // The READMEs' own service names point at the harness's upstream (see runs.ts).
        env: { GREETER_PORT: '{upstream.port}' },
      },
      null,
      2,
    )}\n`,
  );
  return { dir, blocks: blocks.length, run: run + (yaml.length > 0 ? 1 : 0), notRun, skipped };
}
