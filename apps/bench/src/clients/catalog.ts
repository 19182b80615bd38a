/** The clients the benchmark compares, in table order. */
export const CLIENT_IDS = [
  'raw-undici',
  'raw-dispatch',
  'sc-undici',
  'sc-fetch',
  'fetch',
  'axios',
  'got',
  'seed',
] as const;

/** One client's id, as `--clients` spells it. */
export type ClientId = (typeof CLIENT_IDS)[number];

/** How the harness runs a client and how the table names it. */
export interface ClientInfo {
  readonly id: ClientId;
  /** The row label; `{version}` is replaced by the library version found at run time. */
  readonly label: string;
  /** The chart's shorter label, same placeholders. */
  readonly short: string;
  /** The npm package whose installed version goes into the label, if any. */
  readonly versionOf?: string;
  /** `node`: a module in `src/clients/<id>.ts` run by `client-process.ts`; `python`: the seed driver. */
  readonly runtime: 'node' | 'python';
}

/** Every client, keyed by id. */
export const CLIENTS: Readonly<Record<ClientId, ClientInfo>> = {
  'raw-undici': {
    id: 'raw-undici',
    label: '1a. raw undici {version} request (Pool per origin, body.json(), hand round-robin)',
    short: 'raw undici {version} request',
    versionOf: 'undici',
    runtime: 'node',
  },
  'raw-dispatch': {
    id: 'raw-dispatch',
    label: '1b. raw undici {version} dispatch (Pool per origin, handler collects the body, JSON.parse)',
    short: 'raw undici {version} dispatch',
    versionOf: 'undici',
    runtime: 'node',
  },
  'sc-undici': {
    id: 'sc-undici',
    label: '2. ServiceManager.get, undici transport',
    short: 'ServiceManager.get (undici)',
    runtime: 'node',
  },
  'sc-fetch': {
    id: 'sc-fetch',
    label: '3. ServiceManager.get, fetch transport',
    short: 'ServiceManager.get (fetch)',
    runtime: 'node',
  },
  fetch: {
    id: 'fetch',
    label: '4. global fetch (Node {version}; the undici package as its dispatcher, as in 3)',
    short: 'global fetch',
    runtime: 'node',
  },
  axios: {
    id: 'axios',
    label: '5a. axios {version}',
    short: 'axios {version}',
    versionOf: 'axios',
    runtime: 'node',
  },
  got: { id: 'got', label: '5b. got {version}', short: 'got {version}', versionOf: 'got', runtime: 'node' },
  seed: {
    id: 'seed',
    label: '6. aio-service-caller {version} (Python {python}, aiohttp)',
    short: 'aio-service-caller {version} (Python)',
    runtime: 'python',
  },
};
