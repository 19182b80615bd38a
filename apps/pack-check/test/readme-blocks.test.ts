import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTypecheckOnly, readProject } from '../src/consumers.js';
import { blockName, consumerText, extractBlocks, writeReadmeProject } from '../src/readme-blocks.js';

const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

const md = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('extractBlocks', () => {
  it('takes ts, js and yaml blocks with their fence line, and leaves other languages out', () => {
    const blocks = extractBlocks(
      md(
        '# x',
        '```ts',
        'const a = 1;',
        '```',
        '```bash',
        'npm i',
        '```',
        '```yaml',
        'a: 1',
        '```',
        '```js',
        'b()',
        '```',
      ),
      'packages/core/README.md',
    );
    expect(blocks.map((b) => [b.lang, b.line, b.code])).toEqual([
      ['ts', 2, 'const a = 1;\n'],
      ['yaml', 8, 'a: 1\n'],
      ['js', 11, 'b()\n'],
    ]);
    expect(blockName(blocks[0]!)).toBe('core-L2');
    expect(blockName({ ...blocks[0]!, readme: 'README.md' })).toBe('root-L2');
  });

  it('reads the marker before a block: items, and the further lines as a prelude', () => {
    const [block] = extractBlocks(
      md(
        '<!-- pack-check: needs a Nacos server; fails stripped on node22: SyntaxError',
        'declare const manager: unknown;',
        '-->',
        '',
        '```ts',
        'manager;',
        '```',
      ),
      'README.md',
    );
    expect(block?.marker).toEqual({
      notRun: 'needs a Nacos server',
      fails: ['stripped on node22: SyntaxError'],
      prelude: 'declare const manager: unknown;\n',
    });
    const text = consumerText(block!);
    expect(text).toContain('// README.md:5, extracted by pack-check');
    expect(text).toContain('// @pack-check typecheck-only: needs a Nacos server');
    expect(text).toContain('// @pack-check fails stripped on node22: SyntaxError');
    expect(text.endsWith('declare const manager: unknown;\nmanager;\nexport {};\n')).toBe(true);
    expect(isTypecheckOnly(text)).toBe(true);
  });

  it('drops the parentheses around a reason, and reads skip and file', () => {
    const blocks = extractBlocks(
      md(
        '<!-- pack-check: typecheck-only (a fragment) -->',
        '```ts',
        'x;',
        '```',
        '<!-- pack-check: skip needs Deno -->',
        '```ts',
        'Deno;',
        '```',
        '<!-- pack-check: file config/application.yaml -->',
        '```yaml',
        'a: 1',
        '```',
      ),
      'README.md',
    );
    expect(blocks.map((b) => b.marker)).toEqual([
      { notRun: 'a fragment', fails: [], prelude: '' },
      { skip: 'needs Deno', fails: [], prelude: '' },
      { file: 'config/application.yaml', fails: [], prelude: '' },
    ]);
  });

  it('takes runs as the default, for a marker that carries a prelude only', () => {
    const [block] = extractBlocks(
      md('<!-- pack-check: runs (with this import)', "import 'x';", '-->', '```ts', 'y;', '```'),
      'R.md',
    );
    expect(block?.marker).toEqual({ fails: [], prelude: "import 'x';\n" });
  });

  it('refuses a marker it cannot read, one with no block after it, and one before an unchecked block', () => {
    expect(() => extractBlocks(md('<!-- pack-check: goes fast -->', '```ts', 'x', '```'), 'R.md')).toThrow(
      "R.md:1: expected 'runs', 'skip <why>', 'typecheck-only [why]', 'needs <what>', 'file <path>' or 'fails <mode> on <node>: <text>', found 'goes fast'",
    );
    expect(() =>
      extractBlocks(md('<!-- pack-check: needs x -->', 'some text', '```ts', 'x', '```'), 'R.md'),
    ).toThrow('R.md:1: a pack-check marker with no code block right after it');
    expect(() => extractBlocks(md('<!-- pack-check: needs x -->'), 'R.md')).toThrow(
      'R.md:1: a pack-check marker with no code block after it',
    );
    expect(() => extractBlocks(md('<!-- pack-check: needs x -->', '```bash', 'ls', '```'), 'R.md')).toThrow(
      "R.md:1: a pack-check marker before a 'bash' block, which is not checked",
    );
    expect(() =>
      extractBlocks(md('<!-- pack-check: file ../x.yaml -->', '```yaml', 'a: 1', '```'), 'R.md'),
    ).toThrow("R.md:1: 'file ../x.yaml' must be a path inside the project");
    expect(() => extractBlocks(md('```ts', 'x'), 'R.md')).toThrow(
      'R.md:1: a code block that is never closed',
    );
  });
});

describe('writeReadmeProject', () => {
  it('writes a consumer project: a file per block, YAML loaded by readme-yaml.ts, file blocks in place', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pack-check-readmes-'));
    made.push(dir);
    const blocks = extractBlocks(
      md(
        '```ts',
        "console.log('hi');",
        '```',
        '<!-- pack-check: needs a Nacos server -->',
        '```ts',
        'nacos();',
        '```',
        '<!-- pack-check: file config/application.yaml -->',
        '```yaml',
        'app-registry: {}',
        '```',
        '<!-- pack-check: skip not a config -->',
        '```yaml',
        'x',
        '```',
      ),
      'README.md',
    );
    const summary = await writeReadmeProject(blocks, dir, { zod: '^4.0.0' });
    expect(summary).toMatchObject({ blocks: 4, run: 2, notRun: ['README.md:5 (needs a Nacos server)'] });
    expect(summary.skipped).toEqual(['README.md:13 (not a config)']);
    expect(await readFile(join(dir, 'config', 'application.yaml'), 'utf8')).toBe('app-registry: {}\n');
    expect(await readFile(join(dir, 'readme-yaml.ts'), 'utf8')).toContain('"dir": "./yaml/root-L9"');
    const project = readProject(dir);
    expect(project.consumers.map((c) => [c.file, c.modes])).toEqual([
      ['readme-yaml.ts', ['compiled', 'stripped']],
      ['root-L1.ts', ['compiled', 'stripped']],
      ['root-L5.ts', []],
    ]);
    expect(project.env).toEqual({ GREETER_PORT: '{upstream.port}' });
  });

  it('refuses two blocks that name the same file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pack-check-readmes-'));
    made.push(dir);
    const block = md('<!-- pack-check: file config/application.yaml -->', '```yaml', 'a: 1', '```');
    const blocks = extractBlocks(block + block, 'README.md');
    await expect(writeReadmeProject(blocks, dir, {})).rejects.toThrow(
      "README.md:6: 'file config/application.yaml' is already README.md:2",
    );
  });
});
