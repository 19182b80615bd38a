import type { ConfigDocument } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { nacosConfigSource } from '../src/index.js';
import { NACOS_ADDR, RUN_ID, recordingLogger } from './support.js';

/** The bound the README states for a change to reach a watcher while Nacos is reachable. */
const PROPAGATION_BOUND_MS = 5_000;

/** Publishes (or, with `undefined`, deletes) a config through the v1 Open API, as an operator would. */
async function publish(dataId: string, content: string | undefined, group = 'DEFAULT_GROUP'): Promise<void> {
  const body = new URLSearchParams({ dataId, group, ...(content === undefined ? {} : { content }) });
  const response = await fetch(
    `http://${NACOS_ADDR}/nacos/v1/cs/configs?${content === undefined ? body : ''}`,
    {
      method: content === undefined ? 'DELETE' : 'POST',
      ...(content === undefined ? {} : { body }),
    },
  );
  expect(response.status).toBe(200);
  // Official servers publish asynchronously (a dump): wait until a read sees the new content.
  await waitFor(
    async () => {
      const read = await fetch(`http://${NACOS_ADDR}/nacos/v1/cs/configs?dataId=${dataId}&group=${group}`);
      const text = read.status === 404 ? undefined : await read.text();
      return text === content;
    },
    { message: `Nacos to serve the published ${dataId}` },
  );
}

const sources: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.close()));
});

describe(`nacosConfigSource against the Nacos at ${NACOS_ADDR}`, () => {
  it('loads the imports in order, a data id Nacos does not hold as no text, with a warning', async () => {
    const [a, b, missing] = ['a', 'b', 'missing'].map((name) => `${RUN_ID}-${name}.yaml`);
    await publish(a!, 'from: a\n');
    await publish(b!, 'from: b\n');
    const logger = recordingLogger();
    const source = nacosConfigSource({
      serverAddr: NACOS_ADDR,
      imports: [{ dataId: b! }, { dataId: missing! }, { dataId: a! }],
      logger: logger.logger,
    });
    sources.push(source);
    expect(await source.load()).toEqual([
      { name: `nacos:public/DEFAULT_GROUP/${b}`, text: 'from: b\n' },
      { name: `nacos:public/DEFAULT_GROUP/${missing}`, text: undefined },
      { name: `nacos:public/DEFAULT_GROUP/${a}`, text: 'from: a\n' },
    ]);
    expect(logger.lines.map((line) => line.message)).toContainEqual(
      expect.stringContaining(
        `Nacos holds no config '${missing}' (namespace public, group DEFAULT_GROUP): it adds nothing until it is published`,
      ),
    );
  });

  it(`reports a change, a new document and a deletion within ${PROPAGATION_BOUND_MS} ms`, async () => {
    const [a, later] = ['watch-a', 'watch-later'].map((name) => `${RUN_ID}-${name}.yaml`);
    await publish(a!, 'v: 1\n');
    const source = nacosConfigSource({
      serverAddr: NACOS_ADDR,
      imports: [{ dataId: a! }, { dataId: later! }],
    });
    sources.push(source);
    await source.load();
    const seen: (readonly ConfigDocument[])[] = [];
    const errors: unknown[] = [];
    const stop = source.watch!(
      (documents) => seen.push(documents),
      (error) => errors.push(error),
    );
    const texts = () => seen.at(-1)?.map((document) => document.text);
    await publish(a!, 'v: 2\n');
    await waitFor(() => texts()?.[0] === 'v: 2\n', {
      timeout: PROPAGATION_BOUND_MS,
      message: 'the change of a',
    });
    await publish(later!, 'new: true\n');
    await waitFor(() => texts()?.[1] === 'new: true\n', {
      timeout: PROPAGATION_BOUND_MS,
      message: 'the new document',
    });
    await publish(a!, undefined);
    await waitFor(() => seen.at(-1)?.[0]?.text === undefined && texts()?.[1] === 'new: true\n', {
      timeout: PROPAGATION_BOUND_MS,
      message: 'the deletion of a',
    });
    stop();
    expect(errors).toEqual([]);
  });

  it('gives up when the caller aborts while Nacos cannot be reached, with the reason', async () => {
    const source = nacosConfigSource({
      serverAddr: '127.0.0.1:1',
      imports: [{ dataId: 'x.yaml' }],
      requestTimeout: 500,
    });
    sources.push(source);
    const started = performance.now();
    const error = await source.load(AbortSignal.timeout(1_500)).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(Error);
  });
});
