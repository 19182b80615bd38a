import { createRequire } from 'node:module';
import { ServiceManager } from '@service-caller/caller';
import { silentLogger } from '@service-caller/core';
import { detectHostAddress } from '@service-caller/core/node';
import { remoteFixtures, transportSuite } from '@service-caller/testkit/portable';
import { type FetchTransportOptions, fetchTransport } from '@service-caller/transport-fetch';
import { undiciTransport } from '@service-caller/transport-undici';
import { Agent } from 'undici';
import { type CallerUnderTest, endToEndSuite } from './end-to-end.js';
import { definePortableMatrix } from './portable-matrix.js';
import { resultLine, summaryLine } from './report.js';
import { Runner } from './runner.js';

/*
 * The matrix on Node 22, Node 24, Bun and Deno, loading the built packages the way an
 * application does: by package name, through node_modules and each package's `exports`. On top of
 * what runs everywhere: the facade (`ServiceManager`, with its default transport and with the
 * fetch transport) and, where undici is real (Node, Deno), the undici transport's suite.
 *
 *   <runtime> dist/entry-npm.js <fixtures url>
 */

declare const Bun: { version: string } | undefined;
declare const Deno:
  | { version: { deno: string }; args: string[]; createHttpClient(options: { caCerts: string[] }): unknown }
  | undefined;

const runtime =
  typeof Bun !== 'undefined'
    ? { name: 'bun', version: Bun.version }
    : typeof Deno !== 'undefined'
      ? { name: 'deno', version: Deno.version.deno }
      : { name: 'node', version: process.versions.node };
const url = typeof Deno !== 'undefined' ? Deno.args[0] : process.argv[2];
if (!url) throw new Error('usage: <runtime> entry-npm.js <fixtures url>');

/** Agents made to trust the suite's CA on Node, closed at the end so the process can exit. */
const agents: Agent[] = [];
const trust = (ca: string): FetchTransportOptions['init'] => {
  if (runtime.name === 'bun') return { tls: { ca } } as FetchTransportOptions['init'];
  if (runtime.name === 'deno')
    return { client: Deno!.createHttpClient({ caCerts: [ca] }) } as FetchTransportOptions['init'];
  const agent = new Agent({ connect: { ca } });
  agents.push(agent);
  return { dispatcher: agent } as FetchTransportOptions['init'];
};

const fixtures = remoteFixtures(url);
const runner = new Runner();
const { api } = runner;
definePortableMatrix(api, fixtures, trust);

api.describe('entries', () => {
  api.it('@service-caller/core/node loads and detects a host address (it needs node:os)', () => {
    api.expect(detectHostAddress()).toMatch(/^[0-9a-f.:]+$/i);
  });
  api.it('the CommonJS builds load through require(), sharing nothing with the ESM ones', () => {
    const require = createRequire(import.meta.url);
    const caller = require('@service-caller/caller') as Record<string, unknown>;
    const fetchCjs = require('@service-caller/transport-fetch') as Record<string, unknown>;
    const testkit = require('@service-caller/testkit/portable') as Record<string, unknown>;
    api.expect(typeof (caller.ServiceManager as { create?: unknown }).create).toBe('function');
    api.expect(typeof fetchCjs.fetchTransport).toBe('function');
    // The testkit ships ES modules only; require() gets them where the runtime can (Node 22.12+, Bun, Deno).
    api.expect(typeof testkit.transportSuite).toBe('function');
    api.expect(caller.ServiceManager).not.toBe(ServiceManager);
  });
});

// Bun answers `import 'undici'` with a partial built-in of its own: the undici transport is Node's.
if (runtime.name !== 'bun') {
  transportSuite(
    api,
    {
      name: 'undici',
      create: (options) =>
        undiciTransport({ ...options, ...(options?.tls ? { tls: { ca: options.tls.ca } } : {}) }),
    },
    fixtures,
  );
}

const managerCaller = async (
  upstream: { host: string; port: number },
  transport?: ReturnType<typeof fetchTransport>,
): Promise<CallerUnderTest> => {
  const manager = await ServiceManager.create({
    config: { appRegistry: { static: { services: { upstream: [upstream] } } } },
    logger: silentLogger,
    ...(transport === undefined ? {} : { transport }),
  });
  const described = String(
    (manager as unknown as Record<symbol, () => string>)[Symbol.for('nodejs.util.inspect.custom')]?.(),
  );
  return {
    transportName: /transport: (\w+)/.exec(described)?.[1],
    get: (service, path, options) => manager.get(service, path, options),
    rawGet: (service, path, options) => manager.rawGet(service, path, options),
    close: async () => {
      await manager.close();
      // A transport passed in is the caller's to close.
      await transport?.close();
    },
  };
};
endToEndSuite(
  api,
  'ServiceManager, default transport',
  (upstream) => managerCaller(upstream),
  fixtures,
  runtime.name === 'bun' ? 'fetch' : 'undici',
);
endToEndSuite(
  api,
  'ServiceManager, fetch transport',
  (upstream) => managerCaller(upstream, fetchTransport()),
  fixtures,
  'fetch',
);

const results = await runner.run({ report: (result) => console.log(resultLine(result)) });
await Promise.all(agents.map((agent) => agent.close()));
console.log(summaryLine(`${runtime.name} ${runtime.version}`, results));
// No process.exit: the matrix checks that the runtime exits by itself (nothing left running).
