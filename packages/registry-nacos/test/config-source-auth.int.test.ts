import { randomBytes } from 'node:crypto';
import { waitFor } from '@service-caller/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nacosConfigSource } from '../src/index.js';
import { ownPort, RUN_ID, startNacos, stopNacos } from './support.js';

/** Its own Nacos with auth on (token renewal is the registry's own client, tested in auth.int.test.ts). */
const nacos = { port: ownPort(3), auth: true, password: `pw-${randomBytes(9).toString('hex')}` };
const serverAddr = `127.0.0.1:${nacos.port}`;

async function token(): Promise<string> {
  const response = await fetch(`http://${serverAddr}/nacos/v1/auth/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: 'nacos', password: nacos.password }),
  });
  return ((await response.json()) as { accessToken: string }).accessToken;
}

describe('nacosConfigSource against a Nacos with authentication on', () => {
  const dataId = `${RUN_ID}-auth.yaml`;
  beforeAll(async () => {
    await stopNacos(nacos);
    await startNacos(nacos);
    const body = new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', content: 'secret: ok\n' });
    const published = await fetch(`http://${serverAddr}/nacos/v1/cs/configs?accessToken=${await token()}`, {
      method: 'POST',
      body,
    });
    expect(published.status).toBe(200);
    // Official servers publish asynchronously (a dump): wait until a read sees the content.
    const accessToken = await token();
    await waitFor(
      async () => {
        const read = await fetch(
          `http://${serverAddr}/nacos/v1/cs/configs?dataId=${dataId}&group=DEFAULT_GROUP&accessToken=${accessToken}`,
        );
        return read.status === 200 && (await read.text()) === 'secret: ok\n';
      },
      { message: `Nacos to serve the published ${dataId}` },
    );
  });
  afterAll(() => stopNacos(nacos));

  it('logs in, and shows the password nowhere when it is wrong', async () => {
    const source = nacosConfigSource({
      serverAddr,
      username: 'nacos',
      password: nacos.password,
      imports: [{ dataId }],
    });
    try {
      expect((await source.load())[0]?.text).toBe('secret: ok\n');
    } finally {
      await source.close();
    }
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const refused = nacosConfigSource({
      serverAddr,
      username: 'nacos',
      password: wrong,
      imports: [{ dataId }],
    });
    try {
      const error = await refused.load(AbortSignal.timeout(2_000)).catch((e: unknown) => e);
      const text = `${(error as Error).message} ${String((error as Error).cause ?? '')}`;
      expect(text).toContain("log in as 'nacos'");
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(nacos.password);
    } finally {
      await refused.close();
    }
  });
});
