import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the stand-in saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

interface StoredInstance {
  ip: string;
  port: number;
  weight: number;
  healthy: boolean;
  enabled: boolean;
  ephemeral: boolean;
  clusterName: string;
  serviceName: string;
  metadata: Record<string, string>;
}

/**
 * A stand-in for the part of a Nacos 3 server the v3 client API uses (login, register, heartbeat,
 * list, deregister), on a real `node:http` server on 127.0.0.1; in `v2` mode it answers the v1 API
 * the way Nacos 2 does for a beat without a known instance (code 20404), which r-nacos never does.
 * For the unit tests: it starts in milliseconds, forgets everything on demand (a restart) and
 * records every request. The real servers (r-nacos, Nacos 2.5.1 and 3.0.3) run the integration
 * tests. It follows the documented v3 contract: the `{ code, message, data }` envelope,
 * `heartBeat=true` renewals that answer code 21003 for an unknown instance, and the `accessToken`
 * header.
 */
export class NacosStandIn {
  readonly seen: SeenRequest[] = [];
  /** Instances by `namespace|group|service`. */
  readonly store = new Map<string, StoredInstance[]>();
  readonly tokens = new Set<string>();
  authEnabled = false;
  password = 'right-password';
  tokenTtl = 18_000;
  /** `v2`: answer like a Nacos 2 server instead (no v3 paths; the v1 login and naming API). */
  mode: 'v3' | 'v2' = 'v3';
  /** The status a refused login gets: 403, or 500 as Nacos 3.0.3 answers a wrong password. */
  refusedLoginStatus: 403 | 500 = 403;
  /** The `clientBeatInterval` a v1 beat answer names. */
  beatIntervalMs = 5000;
  #server: Server | undefined;
  #serial = 0;

  get origin(): string {
    const { port } = this.#server!.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /** Listens on 127.0.0.1:`port` (0: any free port; a stopped stand-in comes back on its own). */
  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => this.#handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  /** Forgets every instance and token, as a restarted server would. */
  restart(): void {
    this.store.clear();
    this.tokens.clear();
  }

  #handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const params = url.searchParams;
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const ok = (data: unknown) => reply(200, { code: 0, message: 'success', data });

    const loginPath = this.mode === 'v3' ? '/nacos/v3/auth/user/login' : '/nacos/v1/auth/login';
    if (this.mode === 'v2' && url.pathname.startsWith('/nacos/v3/')) {
      reply(404, { timestamp: Date.now(), status: 404, error: 'Not Found', path: url.pathname });
      return;
    }
    if (url.pathname === loginPath && req.method === 'POST') {
      const form = new URLSearchParams(body);
      if (form.get('username') !== 'nacos' || form.get('password') !== this.password) {
        if (this.refusedLoginStatus === 500) {
          reply(500, { status: 500, error: 'Internal Server Error', message: 'No message available' });
        } else {
          reply(403, { code: 403, message: 'unknown user!', data: null });
        }
        return;
      }
      const token = `t${++this.#serial}`;
      this.tokens.add(token);
      reply(200, { accessToken: token, tokenTtl: this.tokenTtl, globalAdmin: true, username: 'nacos' });
      return;
    }
    if (this.authEnabled && !this.tokens.has(String(req.headers.accesstoken ?? ''))) {
      reply(403, { code: 403, message: 'token invalid!', data: null });
      return;
    }
    const rawService = params.get('serviceName') ?? '';
    const service = rawService.includes('@@') ? rawService.slice(rawService.indexOf('@@') + 2) : rawService;
    const key = `${params.get('namespaceId') ?? 'public'}|${params.get('groupName') ?? 'DEFAULT_GROUP'}|${service}`;
    const list = this.store.get(key) ?? [];
    const find = () =>
      list.findIndex(
        (i) =>
          i.ip === params.get('ip') &&
          i.port === Number(params.get('port')) &&
          i.clusterName === (params.get('clusterName') ?? 'DEFAULT'),
      );

    const v1 = this.mode === 'v2';
    if (v1 && url.pathname === '/nacos/v1/ns/instance/beat' && req.method === 'PUT') {
      const known = find() >= 0;
      reply(200, {
        clientBeatInterval: this.beatIntervalMs,
        code: known ? 10200 : 20404,
        lightBeatEnabled: true,
      });
      return;
    }
    const registerPath = v1 ? '/nacos/v1/ns/instance' : '/nacos/v3/client/ns/instance';
    if (url.pathname === registerPath && req.method === 'POST') {
      if (params.get('heartBeat') === 'true') {
        if (find() < 0) reply(200, { code: 21003, message: 'instance not found', data: null });
        else ok('ok');
        return;
      }
      const instance: StoredInstance = {
        ip: params.get('ip') ?? '',
        port: Number(params.get('port')),
        weight: Number(params.get('weight') ?? 1),
        healthy: params.get('healthy') !== 'false',
        enabled: params.get('enabled') !== 'false',
        ephemeral: params.get('ephemeral') !== 'false',
        clusterName: params.get('clusterName') ?? 'DEFAULT',
        serviceName: `${params.get('groupName') ?? 'DEFAULT_GROUP'}@@${params.get('serviceName')}`,
        metadata: JSON.parse(params.get('metadata') ?? '{}') as Record<string, string>,
      };
      const at = find();
      if (at >= 0) list[at] = instance;
      else list.push(instance);
      this.store.set(key, list);
      if (v1) res.end('ok');
      else ok('ok');
      return;
    }
    if (url.pathname === registerPath && req.method === 'DELETE') {
      const at = find();
      if (at >= 0) list.splice(at, 1);
      if (v1) res.end('ok');
      else ok('ok');
      return;
    }
    if (v1 && url.pathname === '/nacos/v1/ns/instance/list') {
      reply(200, { name: rawService, hosts: list });
      return;
    }
    if (url.pathname === '/nacos/v3/client/ns/instance/list' && req.method === 'GET') {
      const cluster = params.get('clusterName');
      ok(list.filter((i) => !cluster || i.clusterName === cluster));
      return;
    }
    reply(404, { timestamp: Date.now(), status: 404, error: 'Not Found', path: url.pathname });
  }
}
