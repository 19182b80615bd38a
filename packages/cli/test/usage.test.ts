import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCli, type TempProject, tempProject } from './support.js';

describe('service-caller usage errors', () => {
  let project: TempProject;
  beforeAll(async () => {
    requireBuiltCli();
    project = await tempProject({
      'application.yaml':
        'app-registry:\n  static:\n    services:\n      users:\n        - { host: 127.0.0.1, port: 8081 }\n',
    });
  });
  afterAll(async () => {
    await project?.remove();
  });

  it.each([
    [['instances', 'users', '--nope'], "unknown option '--nope'"],
    [['call', 'users', '/x', '--lb', 'fastest'], "argument 'fastest' is invalid"],
    [['call', 'users', '/x', '-n', '0'], '-n must be a whole number from 1 to 1000000'],
    [['call', 'users', '/x', '-n', 'many'], '-n must be a whole number'],
    [['call', 'users', '/x', '-X', 'FETCH'], "unknown HTTP method 'FETCH'"],
    [['call', 'users', '/x', '-H', 'no-colon'], "bad header 'no-colon'"],
    [['call', 'users', '/x', '--json', '{oops'], '--json is not valid JSON'],
    [['call', 'users', '/x', '--json', '1', '-d', 'x'], 'cannot be used with'],
    [['call', 'users'], "missing required argument 'path'"],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('%j exits 2 with one line saying what is wrong', async (args, message) => {
    const result = await runCli(args, { cwd: project.root });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^service-caller: /);
    expect(lines[0]).toContain(message);
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    for (const args of [['--help'], ['call', '--help']]) {
      const result = await runCli(args, { cwd: project.root });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: service-caller/);
    }
  });

  it('no command prints the usage on stderr and exits 2', async () => {
    const result = await runCli([], { cwd: project.root });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: service-caller/);
  });

  it('--version prints the package version', async () => {
    const result = await runCli(['--version'], { cwd: project.root });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
