// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the fixtures are YAML using ${VAR} syntax
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { expectConfigError, recordingLogger, SECRET, useConfigDirs } from './helpers.js';

const dirs = useConfigDirs();
const lines = (...content: string[]) => `${content.join('\n')}\n`;
const quiet = () => recordingLogger();

/** A Nacos section with a password, plus the given lines (indented under `nacos:`). */
const nacos = (...extra: string[]) =>
  lines(
    'app-registry:',
    '  nacos:',
    '    server-addr: "127.0.0.1:8848"',
    `    password: "${SECRET}"`,
    ...extra.map((line) => `    ${line}`),
  );

const TIMEOUT_EXPECTED = 'a number of seconds greater than 0 and at most 2147483';

describe('loadConfig: files and folders', () => {
  it('refuses a folder that does not exist', async () => {
    const parent = await dirs.make({});
    const dir = join(parent, 'missing');
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: dir,
      keyPath: '',
      expected: 'a folder holding application.yaml',
      found: 'no such folder',
    });
  });

  it('refuses a path that is a file, not a folder', async () => {
    const dir = await dirs.make({ 'application.yaml': nacos() });
    const file = join(dir, 'application.yaml');
    await expectConfigError(() => loadConfig({ dir: file, logger: quiet() }), {
      file,
      keyPath: '',
      expected: 'a folder holding application.yaml',
      found: 'a file, not a folder',
    });
  });

  it('refuses a missing application.yaml even when the profile file exists', async () => {
    const dir = await dirs.make({ 'application-dev.yaml': nacos() });
    await expectConfigError(() => loadConfig({ dir, profile: 'dev', logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'application.yaml (or application.yml) in the config folder',
      found: 'no such file',
      hint: 'application-dev.yaml exists, but a profile file only adds to application.yaml',
    });
  });

  it('refuses a profile whose file is missing, and lists the profiles there', async () => {
    const dir = await dirs.make({
      'application.yaml': nacos(),
      'application-dev.yml': 'service-caller: {}\n',
    });
    await expectConfigError(() => loadConfig({ dir, env: { APP_PROFILE: 'prod' }, logger: quiet() }), {
      file: join(dir, 'application-prod.yaml'),
      keyPath: '',
      expected: 'the file of profile "prod": application-prod.yaml or .yml',
      found: 'no such file',
      hint: 'the profile comes from APP_PROFILE; profiles in this folder: dev',
    });
  });

  it('refuses a profile name that could leave the folder', async () => {
    const dir = await dirs.make({ 'application.yaml': nacos() });
    await expectConfigError(() => loadConfig({ dir, profile: '../../etc/passwd', logger: quiet() }), {
      file: '<loadConfig options>',
      keyPath: 'profile',
      expected: /^a profile name of letters, digits/,
      found: '"../../etc/passwd"',
    });
  });

  it('refuses application.yaml and application.yml side by side', async () => {
    const dir = await dirs.make({ 'application.yaml': nacos(), 'application.yml': nacos() });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: dir,
      keyPath: '',
      expected: 'one of application.yaml and application.yml',
      found: 'both',
    });
  });

  it('refuses a 10 MB file before parsing it', async () => {
    const big = new Uint8Array(10 * 1024 * 1024).fill(0x23); // '#': one enormous comment
    const dir = await dirs.make({ 'application.yaml': big });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'a file of at most 1048576 bytes (1 MiB)',
      found: '10485760 bytes',
    });
  });

  it('refuses something that is not a regular file', async () => {
    const dir = await dirs.make({});
    await mkdir(join(dir, 'application.yaml'));
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'a regular file',
      found: 'something else',
    });
  });

  it('refuses bytes that are not UTF-8', async () => {
    const dir = await dirs.make({ 'application.yaml': new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a]) });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'UTF-8 text',
      found: 'bytes that are not UTF-8',
    });
  });
});

describe('loadConfig: YAML itself', () => {
  it('reports a syntax error with line and column, without the offending text', async () => {
    const dir = await dirs.make({
      'application.yaml': lines(
        'service-caller:',
        '  lb-type: random',
        'app-registry:',
        '  nacos:',
        `    password: "${SECRET}`,
        '    server-addr: 127.0.0.1:8848',
      ),
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'valid YAML',
      found: /^Missing closing "quote at line \d+, column \d+$/,
    });
  });

  it('reports a bad indentation with its exact line and column', async () => {
    const dir = await dirs.make({
      'application.yaml': lines('service-caller:', '  lb-type: random', ' read-timeout: 3'),
    });
    const error = await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'valid YAML',
      found: /at line 3, column \d+$/,
    });
    expect(error.found).not.toContain('read-timeout');
  });

  it('reports a duplicate key with its line', async () => {
    const dir = await dirs.make({
      'application.yaml': lines('service-caller:', '  read-timeout: 3', '  read-timeout: 4'),
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'valid YAML',
      found: 'a key that repeats an earlier key of its map at line 3, column 3',
    });
  });

  it('refuses a billion-laughs alias bomb through the alias counter', async () => {
    const levels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    const bomb = levels.map((name, index) => {
      const items = index === 0 ? Array(9).fill('"lol"') : Array(9).fill(`*${levels[index - 1]}`);
      return `${name}: &${name} [${items.join(', ')}]`;
    });
    const dir = await dirs.make({ 'application.yaml': lines(...bomb, 'service-caller: *i') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'YAML aliases that expand to a bounded size (at most 100 alias uses)',
      found: 'aliases that multiply (a "billion laughs" document?)',
    });
  });

  it('refuses an alias to an anchor that does not exist', async () => {
    const dir = await dirs.make({ 'application.yaml': lines('service-caller: *nowhere') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'YAML whose aliases all point to an anchor defined before them',
      found: /nowhere/,
    });
  });

  it('refuses flow collections nested absurdly deep, before parsing them', async () => {
    const depth = 200_000;
    const dir = await dirs.make({
      'application.yaml': `# deep\nservice-caller: ${'['.repeat(depth)}${']'.repeat(depth)}\n`,
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: '[...] and {...} nested at most 64 deep',
      // The 65th bracket: line 2, after "service-caller: " (16 characters) and 64 brackets.
      found: 'deeper nesting at line 2, column 81',
    });
  });

  it('does not count brackets inside quoted or plain scalars as nesting', async () => {
    const brackets = '['.repeat(100);
    const dir = await dirs.make({
      'application.yaml': lines(
        'app-registry:',
        '  nacos:',
        '    server-addr: 127.0.0.1:8848',
        `    password: "${brackets}"`,
        `    username: a${brackets}`,
      ),
    });
    const { config } = await loadConfig({ dir, logger: quiet() });
    expect(config.appRegistry.nacos?.password).toBe(brackets);
    expect(config.appRegistry.nacos?.username).toBe(`a${brackets}`);
  });

  it('finds a repeated key in a large map', async () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => `  k${i}: ${i}`);
    const dir = await dirs.make({ 'application.yaml': lines('my-app:', ...keys, '  "k7": again') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'valid YAML',
      found: 'a key that repeats an earlier key of its map at line 5002, column 3',
    });
  });

  it('refuses a top level that is a list', async () => {
    const dir = await dirs.make({ 'application.yaml': lines('- service-caller', '- app-registry') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: '',
      expected: 'a map of settings (key: value lines) at the top level',
      found: 'a list of 2 items',
    });
  });
});

describe('loadConfig: values', () => {
  it('refuses a list where a map belongs', async () => {
    const dir = await dirs.make({
      'application.yaml': lines('service-caller:', '  - lb-type', '  - random'),
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'service-caller',
      expected: 'a map of service-caller settings',
      found: 'a list of 2 items',
    });
  });

  it('names the profile file when the profile put a list where a map belongs', async () => {
    const dir = await dirs.make({
      'application.yaml': nacos(),
      'application-dev.yaml': lines('app-registry:', '  nacos:', '    - 127.0.0.1:8848'),
    });
    await expectConfigError(() => loadConfig({ dir, profile: 'dev', logger: quiet() }), {
      file: join(dir, 'application-dev.yaml'),
      keyPath: 'app-registry.nacos',
      expected: 'a map of Nacos settings',
      found: 'a list of 1 item',
    });
  });

  it('refuses an lb-type that is not a balancer name in form; which names exist is checked when the manager is built', async () => {
    const dir = await dirs.make({ 'application.yaml': lines('service-caller:', '  lb-type: Round Robin') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'service-caller.lb-type',
      expected: 'a load balancer name (lower-case words joined by underscores, e.g. round_robin)',
      found: '"Round Robin"',
    });
    // A name a package may have registered loads; caller's ServiceManager.create refuses an unknown one.
    const registered = await dirs.make({
      'application.yaml': lines('service-caller:', '  lb-type: least_request'),
    });
    expect((await loadConfig({ dir: registered, logger: quiet() })).config.serviceCaller.lbType).toBe(
      'least_request',
    );
  });

  it('refuses a max-response-size that is not a positive whole number of bytes', async () => {
    const dir = await dirs.make({ 'application.yaml': lines('service-caller:', '  max-response-size: 1.5') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'service-caller.max-response-size',
      expected: `a whole number of bytes from 1 to ${Number.MAX_SAFE_INTEGER}`,
      found: '1.5',
    });
  });

  it('refuses a negative read timeout', async () => {
    const dir = await dirs.make({ 'application.yaml': lines('service-caller:', '  read-timeout: -1') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'service-caller.read-timeout',
      expected: TIMEOUT_EXPECTED,
      found: '-1',
    });
  });

  it('refuses a zero connection timeout', async () => {
    const dir = await dirs.make({ 'application.yaml': lines('service-caller:', '  connection-timeout: 0') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'service-caller.connection-timeout',
      expected: TIMEOUT_EXPECTED,
      found: '0',
    });
  });

  it('refuses a timeout too large for a Node timer', async () => {
    const dir = await dirs.make({ 'application.yaml': lines('service-caller:', '  read-timeout: 2147484') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'service-caller.read-timeout',
      expected: TIMEOUT_EXPECTED,
      found: '2147484',
    });
  });

  it('refuses a connection pool size of 0', async () => {
    const dir = await dirs.make({
      'application.yaml': lines('service-caller:', '  connection-pool-size: 0'),
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'service-caller.connection-pool-size',
      expected: 'a whole number of connections from 1 to 65535',
      found: '0',
    });
  });

  it('refuses a connection pool size of 1e9', async () => {
    const dir = await dirs.make({
      'application.yaml': lines('service-caller:', '  connection-pool-size: 1e9'),
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'service-caller.connection-pool-size',
      expected: 'a whole number of connections from 1 to 65535',
      found: '1000000000',
    });
  });

  it('refuses port 70000', async () => {
    const dir = await dirs.make({ 'application.yaml': nacos('app-name: my-app', 'port: 70000') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry.nacos.port',
      expected: 'a whole port number from 1 to 65535',
      found: '70000',
    });
  });

  it('refuses weight -1', async () => {
    const dir = await dirs.make({ 'application.yaml': nacos('weight: -1') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry.nacos.weight',
      expected: 'a number from 0 to 10000',
      found: '-1',
    });
  });

  it('refuses weight .nan on a static instance, naming the list item', async () => {
    const dir = await dirs.make({
      'application.yaml': lines(
        'app-registry:',
        '  static:',
        '    services:',
        '      other-app:',
        '        - { host: 127.0.0.1, port: 8081 }',
        '        - { host: 127.0.0.1, port: 8082, weight: .nan }',
      ),
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry.static.services.other-app[1].weight',
      expected: 'a number from 0 to 10000',
      found: 'NaN',
    });
  });

  it('refuses server-addr without a port', async () => {
    const dir = await dirs.make({
      'application.yaml': lines(
        'app-registry:',
        '  nacos:',
        '    server-addr: nacos.internal',
        `    password: ${SECRET}`,
      ),
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry.nacos.server-addr',
      expected: 'host:port (port 1-65535), or several separated by commas, without a scheme',
      found: '"nacos.internal"',
      hint: 'add the port to every address, e.g. 127.0.0.1:8848',
    });
  });

  it('refuses server-addr with a scheme, hiding credentials in it', async () => {
    const dir = await dirs.make({
      'application.yaml': lines(
        'app-registry:',
        '  nacos:',
        `    server-addr: "http://nacos:${SECRET}@10.0.0.1:8848"`,
      ),
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry.nacos.server-addr',
      expected: 'host:port (port 1-65535), or several separated by commas, without a scheme',
      found: '"http://***@10.0.0.1:8848"',
      hint: 'remove the scheme http://; set secure: true to talk to Nacos over https',
    });
  });

  it('refuses an empty app-name while ip and port are set', async () => {
    const dir = await dirs.make({ 'application.yaml': nacos('ip: 10.0.0.5', 'port: 9999', 'app-name: ""') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry.nacos.app-name',
      expected: 'a non-empty service name, since ip or port is set (this service registers itself)',
      found: 'an empty string',
    });
  });

  it('shows a password in an error path as ***', async () => {
    const dir = await dirs.make({
      'application.yaml': lines(
        'app-registry:',
        '  nacos:',
        '    server-addr: 127.0.0.1:8848',
        '    password: 20240917',
      ),
    });
    const error = await expectConfigError(
      () => loadConfig({ dir, logger: quiet() }),
      {
        file: join(dir, 'application.yaml'),
        keyPath: 'app-registry.nacos.password',
        expected: 'a string',
        found: '***',
        hint: 'put the value in quotes',
      },
      ['20240917'],
    );
    expect(error.message).toContain('found ***');
  });

  it('shows a secret-looking metadata value as *** too', async () => {
    const dir = await dirs.make({
      'application.yaml': nacos('metadata:', '  zone: eu-1', '  db-password: 98765'),
    });
    await expectConfigError(
      () => loadConfig({ dir, logger: quiet() }),
      {
        file: join(dir, 'application.yaml'),
        keyPath: 'app-registry.nacos.metadata.db-password',
        expected: 'a string value',
        hint: 'put the value in quotes to keep it as text',
        found: '***',
      },
      ['98765'],
    );
  });

  it('refuses an unset ${VAR} without a default, naming the variable', async () => {
    const dir = await dirs.make({
      'application.yaml': lines(
        'app-registry:',
        '  nacos:',
        '    server-addr: 127.0.0.1:8848',
        '    password: ${NACOS_PASSWORD}',
      ),
    });
    await expectConfigError(() => loadConfig({ dir, env: {}, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry.nacos.password',
      expected:
        'the environment variable NACOS_PASSWORD to be set, or a default as in ${NACOS_PASSWORD:default}',
      found: 'NACOS_PASSWORD is not set',
    });
  });

  it('refuses a ${ reference that is never closed, without showing the secret around it', async () => {
    const dir = await dirs.make({
      'application.yaml': lines(
        'app-registry:',
        '  nacos:',
        '    server-addr: 127.0.0.1:8848',
        `    password: "${SECRET}\${SUFFIX"`,
      ),
    });
    await expectConfigError(() => loadConfig({ dir, env: {}, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry.nacos.password',
      expected: /^a variable name after|^a closing \}/,
      found: '***',
    });
  });

  it('shows the expanded value and its source when an expanded number is bad', async () => {
    const dir = await dirs.make({ 'application.yaml': nacos('app-name: my-app', 'port: ${PORT}') });
    await expectConfigError(() => loadConfig({ dir, env: { PORT: 'eighty' }, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry.nacos.port',
      expected: 'a whole port number from 1 to 65535',
      found: '"eighty" (from "${PORT}")',
    });
  });

  it('refuses nacos and consul together', async () => {
    const dir = await dirs.make({
      'application.yaml': nacos(),
      'application-dev.yaml': lines('app-registry:', '  consul: {}'),
    });
    await expectConfigError(() => loadConfig({ dir, profile: 'dev', logger: quiet() }), {
      file: join(dir, 'application-dev.yaml'),
      keyPath: 'app-registry',
      expected: 'at most one of nacos, consul and static',
      found: 'a map (nacos, consul)',
    });
  });

  it('refuses nacos and static together, naming both keys (issue #18: static was silently ignored)', async () => {
    const dir = await dirs.make({
      'application.yaml': lines(
        'app-registry:',
        '  nacos:',
        '    server-addr: "127.0.0.1:8848"',
        '  static:',
        '    services:',
        '      other-app:',
        '        - { host: 127.0.0.1, port: 8081 }',
      ),
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry',
      expected: 'at most one of nacos, consul and static',
      found: 'a map (nacos, static)',
    });
  });

  it('refuses consul and static together', async () => {
    const dir = await dirs.make({
      'application.yaml': lines('app-registry:', '  consul: {}', '  static:', '    services: {}'),
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry',
      expected: 'at most one of nacos, consul and static',
      found: 'a map (consul, static)',
    });
  });

  it("accepts a profile that removes the base file's static section with null and adds nacos", async () => {
    const dir = await dirs.make({
      'application.yaml': lines('app-registry:', '  static:', '    services:', '      a: []'),
      'application-nacos.yaml': lines('app-registry:', '  static: ~', '  nacos:', '    server-addr: "h:1"'),
    });
    const { config } = await loadConfig({ dir, profile: 'nacos', logger: quiet() });
    expect(config.appRegistry.static).toBeUndefined();
    expect(config.appRegistry.nacos?.serverAddr).toBe('h:1');
  });

  it('refuses a service named __proto__', async () => {
    const dir = await dirs.make({
      'application.yaml': lines('app-registry:', '  static:', '    services:', '      __proto__: []'),
    });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry.static.services.__proto__',
      expected: 'a name other than __proto__, constructor, prototype',
      found: '"__proto__"',
    });
  });

  it('asks for quotes when a number is given for a text key', async () => {
    const dir = await dirs.make({ 'application.yaml': nacos('namespace: 0123') });
    await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'app-registry.nacos.namespace',
      expected: 'a non-empty string',
      found: '123',
      hint: 'put the value in quotes to keep it as text',
    });
  });

  it('says that a missing required key is required, naming the file that holds its section', async () => {
    const dir = await dirs.make({
      'application.yaml': lines('service-caller:', '  lb-type: random'),
      'application-dev.yaml': lines('app-registry:', '  nacos:', `    password: ${SECRET}`),
    });
    await expectConfigError(() => loadConfig({ dir, profile: 'dev', logger: quiet() }), {
      file: join(dir, 'application-dev.yaml'),
      keyPath: 'app-registry.nacos.server-addr',
      expected: 'host:port, or several separated by commas',
      found: 'nothing',
      hint: 'this key is required',
    });
  });

  it('lists the other problems in the hint', async () => {
    const dir = await dirs.make({
      'application.yaml': lines(
        'service-caller:',
        '  read-timeout: 0',
        '  connection-timeout: -5',
        '  lb-type: Fastest',
      ),
    });
    const error = await expectConfigError(() => loadConfig({ dir, logger: quiet() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'service-caller.lb-type',
      expected: 'a load balancer name (lower-case words joined by underscores, e.g. round_robin)',
      found: '"Fastest"',
    });
    expect(error.message).toContain(
      '2 more problems: service-caller.connection-timeout, service-caller.read-timeout',
    );
  });
});

describe('loadConfig: files that must load', () => {
  it('loads a file with a byte order mark and CRLF line ends', async () => {
    const text = [
      'service-caller:',
      '  lb-type: weight_random',
      '  read-timeout: 3',
      'app-registry:',
      '  static:',
      '    services:',
      '      other-app:',
      '        - host: "127.0.0.1"',
      '          port: 8081',
      '          metadata:',
      '            zone: "eu-1"',
      '',
    ].join('\r\n');
    const dir = await dirs.make({ 'application.yaml': `\uFEFF${text}` });
    const { config, warnings } = await loadConfig({ dir, logger: quiet() });
    expect(warnings).toEqual([]);
    expect(config.serviceCaller.lbType).toBe('weight_random');
    expect(config.serviceCaller.readTimeout).toBe(3);
    expect(config.appRegistry.static?.services['other-app']).toEqual([
      { host: '127.0.0.1', port: 8081, weight: 1, metadata: { zone: 'eu-1' } },
    ]);
  });

  it('loads the seed README example unchanged', async () => {
    const seed = lines(
      '# Service caller configuration',
      'service-caller:',
      '  lb-type: round_robin      # Load balancing strategy: round_robin, random, weight_round_robin, weight_random',
      '  connection-timeout: 6     # Connection timeout (seconds)',
      '  read-timeout: 6           # Read timeout (seconds)',
      '  connection-pool-size: 100 # aiohttp connection pool size',
      '# Nacos configuration',
      'app-registry:',
      '  nacos:',
      '    server-addr: "192.168.30.36:9090"',
      '    namespace: "dev"',
      '    cluster: "DEFAULT"',
      '    group: "DEFAULT_GROUP"',
      '    ip: "127.0.0.1"',
      '    port: 9999',
      '    app-name: "my-app"',
      '    username: "nacos"',
      `    password: "${SECRET}"`,
      '    weight: 1.0',
    );
    const dir = await dirs.make({ 'application.yaml': seed });
    const { config, warnings } = await loadConfig({ dir, logger: quiet() });
    expect(warnings).toEqual([]);
    expect(config.appRegistry.nacos).toMatchObject({
      serverAddr: '192.168.30.36:9090',
      namespace: 'dev',
      cluster: 'DEFAULT',
      group: 'DEFAULT_GROUP',
      ip: '127.0.0.1',
      port: 9999,
      appName: 'my-app',
      username: 'nacos',
      password: SECRET,
      weight: 1,
    });
  });
});
