import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDirectives, readProject, readProjects } from '../src/consumers.js';

const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A folder holding `files` (relative path -> text). */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pack-check-consumers-'));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

const PROJECT = JSON.stringify({ description: 'a project', packages: ['core'] });

describe('parseDirectives', () => {
  it('reads the runs that must fail and the text their stderr must hold', () => {
    const text =
      '// @pack-check fails stripped on node22: SyntaxError\n# @pack-check fails run on node24:  no such file \n';
    expect(parseDirectives(text, 'a.ts', ['compiled', 'stripped', 'run'])).toEqual([
      { mode: 'stripped', node: 'node22', stderrIncludes: 'SyntaxError' },
      { mode: 'run', node: 'node24', stderrIncludes: 'no such file' },
    ]);
  });

  it('refuses a directive it does not understand, naming the file and line', () => {
    expect(() => parseDirectives('\n// @pack-check skip node22', 'a.ts', ['compiled'])).toThrow(
      'a.ts:2: expected "@pack-check fails <mode> on <node>: <text in stderr>", found "// @pack-check skip node22"',
    );
    expect(() =>
      parseDirectives('// @pack-check fails run on node22: x', 'a.ts', ['compiled', 'stripped']),
    ).toThrow("a.ts:1: mode 'run' is not one of this file's runs (compiled, stripped)");
    expect(() => parseDirectives('// @pack-check fails compiled on node20: x', 'a.ts', ['compiled'])).toThrow(
      "a.ts:1: node 'node20' is not one of node22, node24",
    );
    expect(() => parseDirectives('// @pack-check fails compiled on node22:', 'a.ts', ['compiled'])).toThrow(
      /a\.ts:1: expected/,
    );
  });
});

describe('readProject', () => {
  it('reads project.json with its defaults, the consumers by extension, and their .stdout files', async () => {
    const dir = await folder({
      'project.json': PROJECT,
      'a.ts': '// @pack-check fails stripped on node22: SyntaxError\n',
      'a.ts.stdout': 'ok\n',
      'b.cts': '',
      'c.sh': '',
      'd.mjs': '',
      'types.d.ts': '',
      'config/application.yaml': '',
      'notes.md': '',
    });
    const project = readProject(dir);
    expect(project).toMatchObject({
      description: 'a project',
      packages: ['core'],
      dependencies: {},
      compilerOptions: {},
      nodeOptions: [],
      env: {},
    });
    expect(project.consumers).toEqual([
      {
        file: 'a.ts',
        kind: 'ts-esm',
        modes: ['compiled', 'stripped'],
        expectedFailures: [{ mode: 'stripped', node: 'node22', stderrIncludes: 'SyntaxError' }],
        expectedStdout: 'ok\n',
      },
      { file: 'b.cts', kind: 'ts-cjs', modes: ['compiled'], expectedFailures: [] },
      { file: 'c.sh', kind: 'sh', modes: ['run'], expectedFailures: [] },
      { file: 'd.mjs', kind: 'js', modes: ['run'], expectedFailures: [] },
    ]);
  });

  it('refuses a project.json with a misspelt or missing key, naming the file and key', async () => {
    const typo = await folder({
      'project.json': JSON.stringify({ description: 'x', packages: 'all', dependecies: {} }),
      'a.ts': '',
    });
    expect(() => readProject(typo)).toThrow(
      `${join(typo, 'project.json')}: (root): Unrecognized key: "dependecies"`,
    );
    const missing = await folder({ 'project.json': JSON.stringify({ packages: 'all' }), 'a.ts': '' });
    expect(() => readProject(missing)).toThrow(/project\.json: description: /);
    const broken = await folder({ 'project.json': '{', 'a.ts': '' });
    expect(() => readProject(broken)).toThrow(/project\.json: .*JSON/);
  });

  it('refuses a project with no consumer file', async () => {
    const dir = await folder({ 'project.json': PROJECT, 'notes.md': '' });
    expect(() => readProject(dir)).toThrow(`${dir}: no consumer files`);
  });

  it('readProjects takes a project folder or a folder of them', async () => {
    const dir = await folder({
      'one/project.json': PROJECT,
      'one/a.ts': '',
      'two/project.json': PROJECT,
      'two/b.sh': '',
      'other/x.ts': '',
    });
    expect(readProjects(dir).map((p) => p.name)).toEqual(['one', 'two']);
    expect(readProjects(join(dir, 'two')).map((p) => p.name)).toEqual(['two']);
    expect(() => readProjects(join(dir, 'other'))).toThrow('no project.json in it or in its subfolders');
  });
});
