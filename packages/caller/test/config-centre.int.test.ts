import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConfigChange, ConfigError, ServiceManager } from '@service-caller/caller';
import { waitFor } from '@service-caller/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RecordingLogger } from './support/recording-logger.js';

/** The Nacos of the integration run (scripts/test-all.sh starts each server kind in turn). */
const NACOS_ADDR = process.env.NACOS_ADDR ?? '127.0.0.1:8848';
/** The bound the config-yaml README states for a Nacos change to reach `manager.config`. */
const PROPAGATION_BOUND_MS = 5_000;
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function publish(dataId: string, content: string): Promise<void> {
  const body = new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', content });
  const response = await fetch(`http://${NACOS_ADDR}/nacos/v1/cs/configs`, { method: 'POST', body });
  expect(response.status).toBe(200);
  // Official servers publish asynchronously: wait until a read serves it.
  await waitFor(
    async () => {
      const read = await fetch(
        `http://${NACOS_ADDR}/nacos/v1/cs/configs?dataId=${dataId}&group=DEFAULT_GROUP`,
      );
      return read.status === 200 && (await read.text()) === content;
    },
    { message: `Nacos to serve ${dataId}` },
  );
}

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
async function folder(application: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-centre-'));
  folders.push(dir);
  await writeFile(join(dir, 'application.yaml'), application);
  return dir;
}
const centre = (serverAddr: string, dataIds: string[], extra = '') =>
  [
    'config-sources:',
    '  nacos:',
    `    server-addr: ${serverAddr}`,
    ...extra
      .split('\n')
      .filter(Boolean)
      .map((line) => `    ${line}`),
    '    imports:',
    ...dataIds.map((id) => `      - data-id: ${id}`),
  ].join('\n');

describe(`the Nacos config centre at ${NACOS_ADDR}, through ServiceManager`, () => {
  it(`merges the imports over the local files, and a change reaches config and the event within ${PROPAGATION_BOUND_MS} ms`, async () => {
    const [gateway, extra] = [`${RUN}-gateway.yaml`, `${RUN}-extra.yaml`];
    await publish(gateway, 'my-app:\n  greeting: from nacos\n  limit: 10\n');
    await publish(extra, 'my-app:\n  limit: 20\n');
    const dir = await folder(
      `${centre(NACOS_ADDR, [gateway, extra])}\nmy-app:\n  greeting: local\n  local-only: true\n`,
    );
    const logger = new RecordingLogger();
    const schema = z
      .object({ 'my-app': z.object({ greeting: z.string(), limit: z.number(), 'local-only': z.boolean() }) })
      .loose();
    await using manager = await ServiceManager.create({ configDir: dir, schema, logger });
    // Later imports win over earlier ones, and all of them over the local files.
    expect(manager.config['my-app']).toEqual({ greeting: 'from nacos', limit: 20, 'local-only': true });

    const changes: ConfigChange<typeof manager.config>[] = [];
    manager.onConfigChange((change) => changes.push(change));
    await publish(gateway, 'my-app:\n  greeting: changed\n  limit: 10\n');
    await waitFor(() => manager.config['my-app'].greeting === 'changed', {
      timeout: PROPAGATION_BOUND_MS,
      message: 'the change in manager.config',
    });
    expect(changes).toHaveLength(1);
    expect(changes[0]!.changed).toEqual(['my-app.greeting']);
    expect(changes[0]!.previous.merged['my-app'].greeting).toBe('from nacos');

    // This project's own settings: shown in config, applied at the next start only, said so once.
    await publish(extra, 'my-app:\n  limit: 20\nservice-caller:\n  read-timeout: 1\n');
    await waitFor(() => changes.length === 2, {
      timeout: PROPAGATION_BOUND_MS,
      message: 'the second change',
    });
    expect(manager.settings.serviceCaller.readTimeout).toBe(6);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toContain(
      'config-sources.nacos: service-caller.read-timeout changed; these settings take effect at the next start',
    );

    // A change the schema refuses is logged and not applied.
    await publish(gateway, 'my-app:\n  greeting: 42\n');
    await waitFor(() => logger.lines.some((l) => l.level === 'error'), {
      timeout: PROPAGATION_BOUND_MS,
      message: 'the refusal',
    });
    expect(logger.lines.find((l) => l.level === 'error')?.message).toContain(
      `config-sources.nacos: a change was not applied, the config keeps its previous values: nacos:public/DEFAULT_GROUP/${gateway}: my-app.greeting: expected`,
    );
    expect(manager.config['my-app'].greeting).toBe('changed');
  });

  it('fails create within start-timeout when Nacos cannot be reached, saying so', async () => {
    const dir = await folder(centre('127.0.0.1:1', ['gateway.yaml'], 'start-timeout: 1'));
    const started = performance.now();
    const error = await ServiceManager.create({ configDir: dir, logger: new RecordingLogger() }).catch(
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      new RegExp(
        `^${join(dir, 'application.yaml')}: config-sources.nacos: expected the imports from Nacos within 1 s \\(start-timeout\\), found .*Nacos cannot be reached.* \\(set cache-dir to start from the last snapshot when Nacos is down\\)$`,
      ),
    );
  });

  it('starts from the snapshot in cache-dir, with a warning, when Nacos is down at start', async () => {
    const dataId = `${RUN}-snapshot.yaml`;
    await publish(dataId, 'my-app:\n  from: nacos\n');
    const cache = await mkdtemp(join(tmpdir(), 'sc-cache-'));
    folders.push(cache);
    const up = await folder(centre(NACOS_ADDR, [dataId], `cache-dir: ${cache}\nauto-refresh: false`));
    await using first = await ServiceManager.create({ configDir: up, logger: new RecordingLogger() });
    expect(first.config['my-app']).toEqual({ from: 'nacos' });

    const down = await folder(centre('127.0.0.1:1', [dataId], `cache-dir: ${cache}\nstart-timeout: 1`));
    const logger = new RecordingLogger();
    await using second = await ServiceManager.create({ configDir: down, logger });
    expect(second.config['my-app']).toEqual({ from: 'nacos' });
    expect(logger.lines.map((l) => l.message)).toContainEqual(
      expect.stringMatching(
        /config-sources\.nacos: the imports could not be fetched within 1 s \(.*\); using the snapshot of \d{4}-\d\d-\d\dT.* from .*config-snapshot-[0-9a-f]{16}\.json$/,
      ),
    );
  });
});
