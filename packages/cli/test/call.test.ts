import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  type Echo,
  type EchoServer,
  requireBuiltCli,
  runCli,
  startEchoServer,
  type TempProject,
  tempProject,
} from './support.js';

/** `200 OK | 127.0.0.1:1234 | 3.1 ms`: the line `call` writes to stderr for one call. */
const STATUS_LINE = /^(\d{3})(?: [^|]*)? \| ([\w.]+:\d+|\(none chosen\)) \| (\d+\.\d) ms$/m;

describe('service-caller call', () => {
  const servers: EchoServer[] = [];
  let project: TempProject;
  let run: (...args: string[]) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    requireBuiltCli();
    for (const name of ['one', 'two', 'three']) servers.push(await startEchoServer(name));
    const dead = await closedPort();
    project = await tempProject({
      'application.yaml': `
service-caller:
  lb-type: round_robin
  connection-timeout: 2
  read-timeout: 5
app-registry:
  static:
    services:
      echo:
${servers.map((s, i) => `        - { host: 127.0.0.1, port: ${s.port}, weight: ${i + 1} }`).join('\n')}
      ghost:
        - { host: 127.0.0.1, port: ${dead} }
`,
    });
    run = (...args) => runCli([...args, '--config', project.configDir], { cwd: project.root });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await project?.remove();
  });

  it('prints status, chosen instance and duration on stderr and the body on stdout', async () => {
    const result = await run('call', 'echo', '/hello?x=1');
    expect(result.code, result.stderr).toBe(0);
    const echo = JSON.parse(result.stdout) as Echo;
    expect(echo.method).toBe('GET');
    expect(echo.url).toBe('/hello?x=1');
    const status = STATUS_LINE.exec(result.stderr);
    expect(status, result.stderr).not.toBeNull();
    expect(status![1]).toBe('200');
    // The instance named is the one that answered.
    expect(status![2]).toBe(`127.0.0.1:${echo.port}`);
    expect(servers.map((s) => s.port)).toContain(echo.port);
  });

  it('sends -X, repeated -H and a --json body through the chain', async () => {
    const result = await run(
      'call',
      'echo',
      '/orders',
      '-X',
      'put',
      '-H',
      'x-trace: abc',
      '-H',
      'X-Trace: def',
      '-H',
      'accept: application/json',
      '--json',
      '{"item":"tea","qty":2}',
    );
    expect(result.code, result.stderr).toBe(0);
    const echo = JSON.parse(result.stdout) as Echo;
    expect(echo.method).toBe('PUT');
    expect(echo.headers['x-trace']).toBe('abc, def');
    expect(echo.headers.accept).toBe('application/json');
    expect(echo.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(echo.body)).toEqual({ item: 'tea', qty: 2 });
  });

  it('sends -d as it is, with POST when no -X is given', async () => {
    const result = await run(
      'call',
      'echo',
      '/raw',
      '-d',
      'a=1&b=2',
      '-H',
      'content-type: application/x-www-form-urlencoded',
    );
    expect(result.code, result.stderr).toBe(0);
    const echo = JSON.parse(result.stdout) as Echo;
    expect(echo.method).toBe('POST');
    expect(echo.body).toBe('a=1&b=2');
    expect(echo.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('prints a text body as it is', async () => {
    const result = await run('call', 'echo', '/text');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^plain text from (one|two|three)$/);
  });

  it('-n prints a per-instance summary; round robin spreads the calls evenly', async () => {
    const result = await run('call', 'echo', '/hello', '-n', '12', '--lb', 'round_robin');
    expect(result.code, result.stderr).toBe(0);
    const rows = summaryRows(result.stdout);
    for (const server of servers)
      expect(rows.get(`127.0.0.1:${server.port}`)).toMatchObject({ calls: 4, ok: 4, failed: 0 });
    expect(rows.get('total')).toMatchObject({ calls: 12, ok: 12, failed: 0 });
    expect(result.stdout).toContain('outcomes: 200 x12');
    // stderr is not a terminal here: no progress line.
    expect(result.stderr).toBe('');
  });

  it('--lb overrides the config: weighted round robin follows the weights 1:2:3', async () => {
    const result = await run('call', 'echo', '/hello', '-n', '12', '--lb', 'weight_round_robin');
    expect(result.code, result.stderr).toBe(0);
    const rows = summaryRows(result.stdout);
    expect(servers.map((s) => rows.get(`127.0.0.1:${s.port}`)?.calls)).toEqual([2, 4, 6]);
  });

  it('exits 1 for a non-2xx status, still printing the status and the body', async () => {
    const result = await run('call', 'echo', '/fail');
    expect(result.code).toBe(1);
    expect(STATUS_LINE.exec(result.stderr)?.[1]).toBe('500');
    expect(JSON.parse(result.stdout)).toMatchObject({ error: 'broken on purpose' });
  });

  it('-n exits 1 and names the first failure when calls fail', async () => {
    const result = await run('call', 'echo', '/fail', '-n', '3');
    expect(result.code).toBe(1);
    expect(summaryRows(result.stdout).get('total')).toMatchObject({ calls: 3, ok: 0, failed: 3 });
    expect(result.stderr).toMatch(
      /^service-caller: 3 of 3 calls failed; first: status 500 from 127\.0\.0\.1:\d+\n$/,
    );
  });

  it('exits 1 with one line naming the instance and the cause when the connection is refused', async () => {
    const result = await run('call', 'ghost', '/hello');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^service-caller: call failed \(instance 127\.0\.0\.1:\d+\): ConnectionError: .*ECONNREFUSED/,
    );
  });

  it('exits 1 with one line for a service discovery does not know', async () => {
    const result = await run('call', 'nobody', '/hello');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^service-caller: call failed: ServiceUnavailableError: service 'nobody' is unavailable[^\n]*\n$/,
    );
  });

  it('exits 2 for an absolute URL instead of a path: discovery chooses the host', async () => {
    const result = await run('call', 'echo', 'http://example.invalid/hello');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^service-caller: InvalidRequestError: [^\n]*absolute URLs are refused[^\n]*\n$/,
    );
  });

  it('-v logs the request and response lines on stderr with credentials redacted', async () => {
    const secret = 'Bearer s3cr3t-value';
    const result = await run('call', 'echo', '/hello', '-v', '-H', `authorization: ${secret}`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/→ GET echo\/hello \| headers \{"authorization":"\*\*\*"\}/);
    expect(result.stderr).toMatch(/← GET echo\/hello \| http:\/\/127\.0\.0\.1:\d+\/hello \| 200/);
    expect(result.stderr).not.toContain('s3cr3t');
    // The header still reached the server.
    expect((JSON.parse(result.stdout) as Echo).headers.authorization).toBe(secret);
  });
});

interface SummaryRow {
  calls: number;
  ok: number;
  failed: number;
}

/** The rows of `call -n`'s table by their first cell (`host:port` or `total`). */
function summaryRows(stdout: string): Map<string, SummaryRow> {
  const lines = stdout.split('\n');
  const header = lines.findIndex((line) => line.startsWith('instance '));
  if (header < 0) throw new Error(`no summary table in:\n${stdout}`);
  const rows = new Map<string, SummaryRow>();
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    const [key, calls, ok, failed] = line.split(/\s{2,}/);
    rows.set(key!, { calls: Number(calls), ok: Number(ok), failed: Number(failed) });
  }
  return rows;
}
