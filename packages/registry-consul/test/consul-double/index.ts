import { randomInt } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  ACL_NOT_FOUND,
  type AclIdentity,
  type AclSettings,
  allowed,
  permissionDenied,
  requestToken,
  resolveIdentity,
} from './acl.js';
import { AgentState, type CheckDefinition, type CheckStatus, type Scope } from './agent-state.js';
import { parseGoDuration } from './duration.js';

/**
 * An in-process stand-in for a Consul agent's HTTP API, written from Consul's API documentation
 * (agent/service, agent/check, health, features/blocking, api-structure). It implements only the
 * endpoints the adapter uses:
 *
 * - `PUT /v1/agent/service/register` (`replace-existing-checks`, `ns`, `partition`)
 * - `PUT /v1/agent/service/deregister/:service_id`
 * - `PUT /v1/agent/check/pass|warn|fail/:check_id` (`note`) and `PUT /v1/agent/check/update/:check_id`
 * - `GET /v1/health/service/:service` (`dc`, `tag`, `passing`, `index`, `wait`, `ns`, `partition`)
 *
 * with `X-Consul-Index` and index+wait blocking, the check life cycle, ACL tokens in
 * `X-Consul-Token` (403 `ACL not found` / `Permission denied: ...`), 404 for unknown ids, and
 * 500 `No path to datacenter` for a datacenter it is not. It is a test double: nothing here ships.
 */

export interface ConsulDoubleOptions {
  /** @default 'dc1' */
  readonly datacenter?: string;
  /** @default 'consul-double' */
  readonly nodeName?: string;
  /** @default '127.0.0.1' */
  readonly nodeAddress?: string;
  /** Turns ACLs on. Off by default, like a dev agent. */
  readonly acl?: AclSettings;
  /** Serve https with this key pair instead of http. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Floor of `DeregisterCriticalServiceAfter`. @default 60_000 (Consul's documented minimum) */
  readonly minDeregisterCriticalAfterMs?: number;
  /** Period of the critical-service reaper. @default 30_000 (as documented) */
  readonly reapIntervalMs?: number;
}

/** One request the double received, for tests that check what went over the wire. */
export interface RecordedRequest {
  readonly method: string;
  /** The path, percent-decoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  status: number;
}

export interface ConsulDouble {
  /** `127.0.0.1` */
  readonly host: string;
  /** The listening port; stays the same across `stop()` / `start()`. */
  readonly port: number;
  /** `http://127.0.0.1:<port>` (or https). */
  readonly url: string;
  readonly state: AgentState;
  readonly requests: RecordedRequest[];
  /** Whether the server is accepting connections. */
  readonly listening: boolean;
  /** Stops listening and drops open connections: the agent becomes unreachable. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Stops, forgets every service and check (an agent restarted without its data dir), starts. */
  restartEmpty(): Promise<void>;
  close(): Promise<void>;
}

const MAX_WAIT_MS = 10 * 60_000;
const DEFAULT_WAIT_MS = 5 * 60_000;
const INVALID_CHECK = 'Must provide TTL or Script/DockerContainerID/HTTP/TCP and Interval';

/** Starts a Consul agent double on 127.0.0.1 and an ephemeral port. */
export async function startConsulDouble(options: ConsulDoubleOptions = {}): Promise<ConsulDouble> {
  const datacenter = options.datacenter ?? 'dc1';
  const state = new AgentState({
    datacenter,
    nodeName: options.nodeName ?? 'consul-double',
    nodeAddress: options.nodeAddress ?? '127.0.0.1',
    minDeregisterCriticalAfterMs: options.minDeregisterCriticalAfterMs ?? 60_000,
    reapIntervalMs: options.reapIntervalMs ?? 30_000,
  });
  const requests: RecordedRequest[] = [];
  const acl = options.acl;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://double');
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        path: safeDecode(url.pathname),
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: 0,
      };
      requests.push(record);
      res.setHeader('Vary', 'Accept-Encoding');
      res.setHeader('X-Consul-Default-Acl-Policy', acl?.defaultPolicy ?? 'allow');
      route(record, url, req, res).catch((err: unknown) => {
        send(res, record, 500, String(err));
      });
    });
  };

  async function route(record: RecordedRequest, url: URL, req: IncomingMessage, res: ServerResponse) {
    const identity = resolveIdentity(acl, requestToken(req, url.searchParams));
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const [version, area, kind, action, id, ...extra] = parts;
    if (version !== 'v1' || extra.length > 0) return send(res, record, 404, '404 page not found\n');
    if (identity === undefined) return send(res, record, 403, ACL_NOT_FOUND);
    const scope = scopeOf(req, url.searchParams);

    if (area === 'health' && kind === 'service' && action !== undefined && id === undefined) {
      if (record.method !== 'GET') return methodNotAllowed(res, record);
      return healthService(record, res, url.searchParams, identity, scope, action);
    }
    if (area === 'agent' && kind === 'service' && action === 'register' && id === undefined) {
      if (record.method !== 'PUT') return methodNotAllowed(res, record);
      return registerService(record, res, url.searchParams, identity, scope);
    }
    if (area === 'agent' && kind === 'service' && action === 'deregister' && id !== undefined) {
      if (record.method !== 'PUT') return methodNotAllowed(res, record);
      const service = state.service(scope, id);
      if (!service) return send(res, record, 404, unknownService(id));
      if (!allowed(acl, identity, service.name, 'write')) {
        return send(res, record, 403, permissionDenied(identity, 'write', service.name));
      }
      state.deregisterService(scope, id);
      return send(res, record, 200);
    }
    if (area === 'agent' && kind === 'check' && action !== undefined && id !== undefined) {
      const status = ({ pass: 'passing', warn: 'warning', fail: 'critical' } as const)[
        action as 'pass' | 'warn' | 'fail'
      ];
      if (status === undefined && action !== 'update') return send(res, record, 404, '404 page not found\n');
      if (record.method !== 'PUT') return methodNotAllowed(res, record);
      let output = url.searchParams.get('note') ?? '';
      let next: CheckStatus | undefined = status;
      if (action === 'update') {
        const body = parseJson(record.body);
        if (!body.ok) return send(res, record, 400, `Request decode failed: ${body.error}`);
        const fields = body.value as Record<string, unknown>;
        const given = field(fields, 'Status');
        if (given !== 'passing' && given !== 'warning' && given !== 'critical') {
          return send(res, record, 400, `Invalid check status: '${String(given ?? '')}'`);
        }
        next = given;
        output = String(field(fields, 'Output') ?? '');
      }
      const check = state.check(scope, id);
      if (!check) return send(res, record, 404, unknownCheck(id));
      const owner = state.serviceOf(check);
      if (owner && !allowed(acl, identity, owner.name, 'write')) {
        return send(res, record, 403, permissionDenied(identity, 'write', owner.name));
      }
      if (check.definition.ttlMs === undefined) {
        return send(res, record, 500, `CheckID ${JSON.stringify(id)} does not have associated TTL`);
      }
      state.updateTtl(scope, id, next!, output);
      return send(res, record, 200);
    }
    return send(res, record, 404, '404 page not found\n');
  }

  async function healthService(
    record: RecordedRequest,
    res: ServerResponse,
    query: URLSearchParams,
    identity: AclIdentity,
    scope: Scope,
    name: string,
  ) {
    const dc = query.get('dc');
    if (dc !== null && dc !== '' && dc !== datacenter) return send(res, record, 500, 'No path to datacenter');
    const passing = parseBoolParam(query, 'passing');
    if (passing === 'invalid') return send(res, record, 400, 'Invalid value for ?passing');
    let index = 0;
    const rawIndex = query.get('index');
    if (rawIndex !== null) {
      if (!/^\d+$/.test(rawIndex)) return send(res, record, 400, 'Invalid index');
      index = Number(rawIndex);
    }
    let waitMs = DEFAULT_WAIT_MS;
    const rawWait = query.get('wait');
    if (rawWait !== null) {
      const parsed = parseGoDuration(rawWait);
      if (parsed === undefined || parsed < 0) return send(res, record, 400, 'Invalid wait time');
      waitMs = Math.min(parsed, MAX_WAIT_MS);
    }
    if (index > 0 && state.queryIndex(scope, name) <= index) {
      // Consul adds up to wait/16 of jitter to spread out the wake-ups of concurrent queries.
      await state.waitForChange(scope, name, index, waitMs + randomInt(0, Math.floor(waitMs / 16) + 1));
    }
    if (res.destroyed) return;
    const readable = allowed(acl, identity, name, 'read');
    const entries = readable ? state.healthService(scope, name, { tags: query.getAll('tag'), passing }) : [];
    res.setHeader('X-Consul-Index', String(state.queryIndex(scope, name)));
    res.setHeader('X-Consul-Knownleader', 'true');
    res.setHeader('X-Consul-Lastcontact', '0');
    res.setHeader('X-Consul-Effective-Consistency', 'leader');
    res.setHeader('X-Consul-Query-Backend', 'blocking-query');
    if (!readable && identity.kind === 'token') res.setHeader('X-Consul-Results-Filtered-By-Acls', 'true');
    sendJson(res, record, entries);
  }

  function registerService(
    record: RecordedRequest,
    res: ServerResponse,
    query: URLSearchParams,
    identity: AclIdentity,
    queryScope: Scope,
  ) {
    const body = parseJson(record.body);
    if (!body.ok || typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) {
      return send(
        res,
        record,
        400,
        `Request decode failed: ${body.ok ? 'body is not an object' : body.error}`,
      );
    }
    const def = body.value as Record<string, unknown>;
    const name = field(def, 'Name');
    if (typeof name !== 'string' || name === '') return send(res, record, 400, 'Missing service name');
    const address = field(def, 'Address') ?? '';
    if (typeof address !== 'string')
      return send(res, record, 400, 'Request decode failed: Address must be a string');
    if (address === '0.0.0.0' || address === '::' || address === '[::]') {
      return send(res, record, 400, 'Invalid service address');
    }
    const port = field(def, 'Port') ?? 0;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      return send(res, record, 400, 'Request decode failed: Port must be an integer');
    }
    const tags = field(def, 'Tags') ?? [];
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) {
      return send(res, record, 400, 'Request decode failed: Tags must be an array of strings');
    }
    const meta = field(def, 'Meta') ?? {};
    const metaError = validateMeta(meta);
    if (metaError) return send(res, record, 400, `Invalid Service Meta: ${metaError}`);
    const weights = field(def, 'Weights') as Record<string, unknown> | undefined;
    const passingWeight = weights === undefined ? 1 : field(weights, 'Passing');
    const warningWeight = weights === undefined ? 1 : field(weights, 'Warning');
    if (typeof passingWeight !== 'number' || !Number.isInteger(passingWeight) || passingWeight < 1) {
      return send(res, record, 400, 'Invalid Weights: Passing must be greater than 0');
    }
    if (typeof warningWeight !== 'number' || !Number.isInteger(warningWeight) || warningWeight < 0) {
      return send(res, record, 400, 'Invalid Weights: Warning must be greater or equal than 0');
    }
    const namespace = (field(def, 'Namespace') as string | undefined) || queryScope.namespace;
    const partition = (field(def, 'Partition') as string | undefined) || queryScope.partition;
    const id = (field(def, 'ID') as string | undefined) || name;

    const rawChecks: unknown[] = [];
    const single = field(def, 'Check');
    const many = field(def, 'Checks');
    if (single !== undefined && single !== null) rawChecks.push(single);
    if (Array.isArray(many)) rawChecks.push(...many);
    const checks: CheckDefinition[] = [];
    for (const [i, raw] of rawChecks.entries()) {
      const parsed = parseCheck(raw, id, name, rawChecks.length > 1 ? i + 1 : undefined);
      if (typeof parsed === 'string') return send(res, record, 400, parsed);
      checks.push(parsed);
    }

    if (!allowed(acl, identity, name, 'write')) {
      return send(res, record, 403, permissionDenied(identity, 'write', name));
    }
    state.registerService(
      {
        id,
        name,
        tags: tags as string[],
        address,
        port,
        meta: meta as Record<string, string>,
        weights: { Passing: passingWeight, Warning: warningWeight },
        enableTagOverride: field(def, 'EnableTagOverride') === true,
        namespace,
        partition,
      },
      checks,
      parseBoolParam(query, 'replace-existing-checks') === true,
    );
    return send(res, record, 200);
  }

  let server: Server = options.tls
    ? createHttpsServer({ ...options.tls }, handler)
    : createHttpServer(handler);
  let port = 0;
  let listening = false;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        listening = true;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      state.releaseAll();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await listen();

  const double: ConsulDouble = {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    get url() {
      return `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    },
    state,
    requests,
    get listening() {
      return listening;
    },
    stop,
    async start() {
      if (listening) return;
      server = options.tls ? createHttpsServer({ ...options.tls }, handler) : createHttpServer(handler);
      await listen();
    },
    async restartEmpty() {
      await stop();
      state.reset();
      await double.start();
    },
    async close() {
      await stop();
      state.close();
    },
  };
  return double;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function scopeOf(req: IncomingMessage, query: URLSearchParams): Scope {
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return {
    namespace: query.get('ns') || header('x-consul-namespace') || 'default',
    partition: query.get('partition') || header('x-consul-partition') || 'default',
  };
}

/** Go's JSON decoding matches field names case-insensitively; Consul also takes snake_case. */
function field(obj: Record<string, unknown>, name: string): unknown {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(obj)) {
    if (key.toLowerCase().replaceAll('_', '') === wanted) return value;
  }
  return undefined;
}

function parseCheck(raw: unknown, serviceId: string, serviceName: string, position: number | undefined) {
  if (typeof raw !== 'object' || raw === null) return 'Request decode failed: a check must be an object';
  const c = raw as Record<string, unknown>;
  const duration = (key: string): number | undefined | string => {
    const value = field(c, key);
    if (value === undefined || value === null || value === '') return undefined;
    // A bare number is a Go time.Duration in nanoseconds.
    if (typeof value === 'number') return value / 1e6;
    const ms = typeof value === 'string' ? parseGoDuration(value) : undefined;
    return ms === undefined ? `Request decode failed: time: invalid duration ${JSON.stringify(value)}` : ms;
  };
  const ttl = duration('TTL');
  const interval = duration('Interval');
  const timeout = duration('Timeout');
  const dcsa = duration('DeregisterCriticalServiceAfter');
  for (const v of [ttl, interval, timeout, dcsa]) if (typeof v === 'string') return v;
  const http = field(c, 'HTTP');
  const status = field(c, 'Status');
  if (
    status !== undefined &&
    status !== '' &&
    status !== 'passing' &&
    status !== 'warning' &&
    status !== 'critical'
  ) {
    return "Status for checks must 'passing', 'warning', 'critical'";
  }
  const isTtl = ttl !== undefined && (ttl as number) > 0;
  const isHttp =
    typeof http === 'string' && http !== '' && interval !== undefined && (interval as number) > 0;
  if (!isTtl && !isHttp) return INVALID_CHECK;
  const checkId =
    (field(c, 'CheckID') as string | undefined) ||
    (field(c, 'ID') as string | undefined) ||
    (position === undefined ? `service:${serviceId}` : `service:${serviceId}:${position}`);
  const definition: CheckDefinition = {
    checkId,
    name: (field(c, 'Name') as string | undefined) || `Service '${serviceName}' check`,
    notes: String(field(c, 'Notes') ?? ''),
    ...(status ? { initialStatus: status as CheckStatus } : {}),
    ...(isTtl ? { ttlMs: ttl as number } : { http: http as string, intervalMs: interval as number }),
    ...(typeof field(c, 'Method') === 'string' ? { method: field(c, 'Method') as string } : {}),
    ...(field(c, 'Header') ? { header: field(c, 'Header') as Record<string, string[]> } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout as number } : {}),
    ...(dcsa !== undefined ? { deregisterCriticalAfterMs: dcsa as number } : {}),
  };
  return definition;
}

/** Consul's documented limits on service metadata. */
function validateMeta(meta: unknown): string | undefined {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return 'Meta must be an object';
  const entries = Object.entries(meta);
  if (entries.length > 64) return 'Node metadata cannot contain more than 64 key/value pairs';
  for (const [key, value] of entries) {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(key)) return `Key ${JSON.stringify(key)} is invalid`;
    if (key.startsWith('consul-')) return `Key ${JSON.stringify(key)} uses a reserved prefix`;
    if (typeof value !== 'string') return `Value of ${JSON.stringify(key)} must be a string`;
    if (value.length > 512) return `Value of ${JSON.stringify(key)} is longer than 512 characters`;
  }
  return undefined;
}

/** A Go `strconv.ParseBool` flag; a bare `?passing` counts as true. */
function parseBoolParam(query: URLSearchParams, name: string): boolean | 'invalid' {
  if (!query.has(name)) return false;
  const value = query.get(name) ?? '';
  if (['', '1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  return 'invalid';
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: text === '' ? {} : JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

function unknownService(id: string): string {
  return `Unknown service ID ${JSON.stringify(id)}. Ensure that the service ID is passed, not the service name.`;
}

function unknownCheck(id: string): string {
  return `Unknown check ID ${JSON.stringify(id)}. Ensure that the check ID is passed, not the check name.`;
}

function methodNotAllowed(res: ServerResponse, record: RecordedRequest): void {
  send(res, record, 405, `method ${record.method} not allowed`);
}

function send(res: ServerResponse, record: RecordedRequest, status: number, text?: string): void {
  record.status = status;
  if (res.destroyed || res.headersSent) return;
  if (text === undefined) {
    res.writeHead(status, { 'Content-Length': '0' }).end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
}

function sendJson(res: ServerResponse, record: RecordedRequest, value: unknown): void {
  record.status = 200;
  if (res.destroyed || res.headersSent) return;
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
}
