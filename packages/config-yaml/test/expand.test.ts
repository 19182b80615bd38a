// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} syntax
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExpansionProblem, expandString } from '../src/expand.js';
import { loadConfig } from '../src/index.js';
import { expectConfigError, recordingLogger, useConfigDirs } from './helpers.js';

function problem(input: string, env: Record<string, string | undefined> = {}): ExpansionProblem {
  try {
    expandString(input, env);
  } catch (error) {
    if (error instanceof ExpansionProblem) return error;
    throw error;
  }
  throw new Error(`expected ${input} to fail`);
}

describe('expandString', () => {
  it('replaces ${VAR} anywhere in the string, several times', () => {
    expect(expandString('${HOST}:${PORT}', { HOST: 'a.b', PORT: '8848' })).toBe('a.b:8848');
    expect(expandString('x-${A}-y-${A}', { A: '1' })).toBe('x-1-y-1');
  });

  it('leaves strings without references alone, including a lone or trailing $', () => {
    expect(expandString('plain', {})).toBe('plain');
    expect(expandString('cost: $5 and $HOME and $', {})).toBe('cost: $5 and $HOME and $');
  });

  it('uses the default when the variable is unset or empty, and the value otherwise', () => {
    expect(expandString('${PORT:8080}', {})).toBe('8080');
    expect(expandString('${PORT:8080}', { PORT: '' })).toBe('8080');
    expect(expandString('${PORT:8080}', { PORT: '9090' })).toBe('9090');
    expect(expandString('${PASSWORD:}', {})).toBe('');
  });

  it('keeps a set but empty variable without a default as empty', () => {
    expect(expandString('[${EMPTY}]', { EMPTY: '' })).toBe('[]');
  });

  it('keeps colons and balanced braces inside a default', () => {
    expect(expandString('${ADDR:127.0.0.1:8848}', {})).toBe('127.0.0.1:8848');
    expect(expandString('${JSON:{"a":{"b":1}}}', {})).toBe('{"a":{"b":1}}');
  });

  it('expands nested references in a default, only when the default is used', () => {
    expect(expandString('${A:${B:inner}}', {})).toBe('inner');
    expect(expandString('${A:${B:inner}}', { B: 'b' })).toBe('b');
    expect(expandString('${A:${B}}', { A: 'a' })).toBe('a');
    expect(expandString('${A:x-${B:${C:deep}}-y}', {})).toBe('x-deep-y');
  });

  it('treats $${...} as a literal ${...}, also inside a default', () => {
    expect(expandString('$${HOME}', { HOME: '/root' })).toBe('${HOME}');
    expect(expandString('a$${B:${C}}z', {})).toBe('a${B:${C}}z');
    expect(expandString('${A:$${B}}', {})).toBe('${B}');
  });

  it('does not expand references inside a variable value', () => {
    expect(expandString('${A}', { A: '${B}', B: 'no' })).toBe('${B}');
  });

  it('names an unset variable that has no default', () => {
    const error = problem('prefix-${NACOS_PASSWORD}');
    expect(error.variable).toBe('NACOS_PASSWORD');
    expect(error.found).toBe('NACOS_PASSWORD is not set');
    expect(error.expected).toContain('${NACOS_PASSWORD:default}');
  });

  it('names an unset variable inside a default that is used', () => {
    expect(problem('${A:${B}}').variable).toBe('B');
  });

  it('refuses malformed references', () => {
    expect(problem('${}').expected).toMatch(/^a variable name after \$\{/);
    expect(problem('${1ABC}').expected).toMatch(/^a variable name after \$\{/);
    expect(problem('${ABC').expected).toBe('a closing } for ${');
    expect(problem('${ABC:default').expected).toBe('a closing } for ${');
    expect(problem('$${never closed').expected).toBe('a closing } for ${');
    expect(problem('${A-B}').expected).toBe('} or :default after ${A');
  });

  it('bounds the nesting of defaults', () => {
    const deep = `${'${A:'.repeat(40)}x${'}'.repeat(40)}`;
    expect(problem(deep).expected).toMatch(/nested at most 16 deep/);
    const fine = `${'${A:'.repeat(10)}x${'}'.repeat(10)}`;
    expect(expandString(fine, {})).toBe('x');
  });
});

describe('loadConfig expansion', () => {
  const dirs = useConfigDirs();

  it('expands every string value of the known sections, from env and not process.env', async () => {
    const dir = await dirs.make({
      'application.yaml': [
        'service-caller:',
        '  lb-type: ${LB:random}',
        'app-registry:',
        '  nacos:',
        '    server-addr: ${NACOS_HOST}:${NACOS_PORT:8848}',
        '    password: "${NACOS_PASSWORD:}"',
        '    metadata:',
        '      version: ${VERSION}',
        '      literal: "$${NOT_EXPANDED}"',
        '',
      ].join('\n'),
    });
    const env = { NACOS_HOST: 'nacos.local', VERSION: '1.2.0' };
    const { config } = await loadConfig({ dir, env, logger: recordingLogger() });
    expect(config.serviceCaller.lbType).toBe('random');
    expect(config.appRegistry.nacos?.serverAddr).toBe('nacos.local:8848');
    // An empty password from `${NACOS_PASSWORD:}` means "no password".
    expect(config.appRegistry.nacos?.password).toBeUndefined();
    expect(config.appRegistry.nacos?.metadata).toEqual({ version: '1.2.0', literal: '${NOT_EXPANDED}' });
  });

  it("expands the application's own values too (as the Python library does), but not keys", async () => {
    const dir = await dirs.make({
      'application.yaml': [
        'my-app:',
        '  greeting: ${GREETING:hello}',
        '  ${NOT_A_KEY}: kept',
        '  list: [ "${GREETING:x}", plain ]',
        'service-caller:',
        '  read-timeout: 2',
        '',
      ].join('\n'),
    });
    const { config, merged } = await loadConfig({ dir, env: { GREETING: 'hi' }, logger: recordingLogger() });
    expect(config.serviceCaller.readTimeout).toBe(2);
    expect(merged['my-app']).toEqual({ greeting: 'hi', '${NOT_A_KEY}': 'kept', list: ['hi', 'plain'] });
  });

  it("names the application's key when its variable is unset and has no default", async () => {
    const dir = await dirs.make({ 'application.yaml': 'my-app:\n  db:\n    host: ${DB_HOST}\n' });
    await expectConfigError(() => loadConfig({ dir, env: {}, logger: recordingLogger() }), {
      file: join(dir, 'application.yaml'),
      keyPath: 'my-app.db.host',
      expected: 'the environment variable DB_HOST to be set, or a default as in ${DB_HOST:default}',
      found: 'DB_HOST is not set',
    });
  });

  it('expands only the value that wins the merge', async () => {
    const dir = await dirs.make({
      'application.yaml': 'service-caller:\n  read-timeout: ${UNSET_IN_BASE}\n',
      'application-dev.yaml': 'service-caller:\n  read-timeout: 4\n',
    });
    const { config } = await loadConfig({ dir, profile: 'dev', env: {}, logger: recordingLogger() });
    expect(config.serviceCaller.readTimeout).toBe(4);
  });
});
