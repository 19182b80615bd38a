import { type ChildProcess, execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@service-caller/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceManager } from '../../caller/src/index.js';
import { nacosRegistry } from '../src/index.js';
import {
  NACOS_ADDR,
  NACOS_SERVER,
  type NamedServer,
  REPO_DIR,
  RUN_ID,
  recordingLogger,
  SERVER_BEHAVIOUR,
  selfRegistering,
  startNamedServer,
  startReadyChild,
} from './support.js';

/**
 * Python services beside ours in one Nacos: the Python library this project succeeds
 * (aio-service-caller 0.1.15 on nacos-sdk-python 2.x, which registers and discovers over gRPC)
 * runs test/python/py_service.py in the venv of scripts/python-venv.sh.
 */
const PY_SERVICE = fileURLToPath(new URL('./python/py_service.py', import.meta.url));
const TS_SERVICE = fileURLToPath(new URL('./ts-service.ts', import.meta.url));
const behaviour = SERVER_BEHAVIOUR[NACOS_SERVER];
/** How long either side may keep listing a SIGKILLed process (measured figures are printed). */
const GONE_WITHIN_MS = 90_000;

function pythonOfVenv(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [`${REPO_DIR}scripts/python-venv.sh`], { timeout: 600_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`scripts/python-venv.sh failed: ${stderr}`, { cause: error }));
      else resolve(stdout.trim().split('\n').pop()!);
    });
  });
}

/** SIGKILLs a child and resolves once it is gone. */
function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return res.json();
}

describe(`Python services (aio-service-caller 0.1.15) beside ours in ${NACOS_SERVER}`, () => {
  let python: string;
  let tsServer: NamedServer;
  let manager: ServiceManager;
  const children: ChildProcess[] = [];
  const tsName = `ts-interop-${RUN_ID}`;
  const pyName = `py-interop-${RUN_ID}`;
  const startPython = (name: string, extra: string[] = ['--namespace', 'public']) => {
    const started = startReadyChild(
      python,
      ['-B', PY_SERVICE, '--server-addr', NACOS_ADDR, '--name', name, ...extra],
      `the Python service ${name}`,
    );
    children.push(started.child);
    return started;
  };

  beforeAll(async () => {
    python = await pythonOfVenv();
    tsServer = await startNamedServer(tsName);
    manager = await ServiceManager.create({
      config: selfRegistering(NACOS_ADDR, tsName, tsServer.port),
      logger: recordingLogger().logger,
    });
  }, 600_000);
  afterAll(async () => {
    await Promise.all(children.map(kill));
    await manager?.close();
    await tsServer?.close();
  });

  it('calls both ways, and the TS side stops listing a SIGKILLed Python service', async () => {
    const py = startPython(pyName);
    const pyPort = await py.ready;
    // TS -> Python: discovered through Nacos, called through the balancer.
    const answer = await waitFor(
      async () => {
        try {
          return await manager.get(pyName, '/hello');
        } catch {
          return false;
        }
      },
      { timeout: 30_000, interval: 200, message: 'the Python service called from TS' },
    );
    expect(answer).toEqual({ from: 'python', name: pyName });
    // Python -> TS: its own ServiceManager discovers ours and calls it.
    const called = await waitFor(
      async () => {
        const body = (await getJson(`http://127.0.0.1:${pyPort}/call?service=${tsName}&path=/`)) as {
          result?: unknown;
        };
        return body.result !== undefined && body;
      },
      { timeout: 45_000, interval: 500, message: 'the TS service called from Python' },
    );
    expect(called).toEqual({ result: { name: tsName } });

    await kill(py.child);
    const killedAt = performance.now();
    await waitFor(async () => (await manager.registry.getInstances(pyName)).length === 0, {
      timeout: GONE_WITHIN_MS,
      interval: 100,
      message: 'the TS side dropping the SIGKILLed Python service',
    });
    console.info(
      `[nacos int] ${NACOS_SERVER}: the TS side (refresh every 5 s) stopped listing the SIGKILLed Python service after ${Math.round(performance.now() - killedAt)} ms`,
    );
  });

  // Two instances, one of them in a process that is SIGKILLed. (With one instance the Python
  // side never drops it: nacos-sdk-python ignores a push of an empty list; on r-nacos 0.8.8 the
  // sole instance was still listed 100 s after the SIGKILL, 65 s after r-nacos had dropped it.)
  it('the Python side stops listing a SIGKILLed TS instance', async () => {
    const name = `ts-killed-${RUN_ID}`;
    const observer = startPython(`py-observer-${RUN_ID}`);
    const observerPort = await observer.ready;
    const stays = await startNamedServer(name);
    const staying = await ServiceManager.create({
      config: selfRegistering(NACOS_ADDR, name, stays.port),
      logger: recordingLogger().logger,
    });
    try {
      // tsx as a loader in this one process (its CLI would run the service in a child that a
      // SIGKILL of the CLI leaves running).
      const ts = startReadyChild(
        process.execPath,
        ['--import', 'tsx', '--conditions=source', TS_SERVICE, NACOS_ADDR, name],
        name,
      );
      children.push(ts.child);
      const tsPort = await ts.ready;
      const ports = async () => {
        const body = (await getJson(`http://127.0.0.1:${observerPort}/list?service=${name}`)) as {
          instances: { port: number }[];
        };
        return body.instances.map((i) => i.port).sort((a, b) => a - b);
      };
      await waitFor(async () => (await ports()).length === 2, {
        timeout: 45_000,
        interval: 500,
        message: 'the Python side listing both TS instances',
      });
      await kill(ts.child);
      const killedAt = performance.now();
      await waitFor(async () => !(await ports()).includes(tsPort), {
        timeout: GONE_WITHIN_MS,
        interval: 500,
        message: 'the Python side dropping the SIGKILLed TS instance',
      });
      console.info(
        `[nacos int] ${NACOS_SERVER}: the Python side stopped listing the SIGKILLed TS instance after ${Math.round(performance.now() - killedAt)} ms`,
      );
      expect(await ports()).toEqual([stays.port]);
    } finally {
      await staying.close();
      await stays.close();
    }
  });

  it(`a Python service with no namespace set is ${behaviour.pythonEmptyNamespaceIsPublic ? '' : 'not '}seen in public`, async () => {
    const name = `py-no-namespace-${RUN_ID}`;
    const py = startPython(name, []);
    const pyPort = await py.ready;
    try {
      // The server has it: the Python side (namespace "") lists itself.
      await waitFor(
        async () => {
          const body = (await getJson(`http://127.0.0.1:${pyPort}/list?service=${name}`)) as {
            instances: { port: number }[];
          };
          return body.instances.some((i) => i.port === pyPort);
        },
        { timeout: 30_000, interval: 300, message: 'the Python service listing itself' },
      );
      const inPublic = async () => {
        const fresh = nacosRegistry({ serverAddr: NACOS_ADDR, logger: recordingLogger().logger });
        try {
          return (await fresh.getInstances(name)).some((i) => i.port === pyPort);
        } finally {
          await fresh.close();
        }
      };
      if (behaviour.pythonEmptyNamespaceIsPublic) {
        await waitFor(inPublic, { timeout: 15_000, interval: 300, message: 'the Python service in public' });
      } else {
        expect(await inPublic()).toBe(false);
      }
    } finally {
      await kill(py.child);
    }
  });
});
