import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EngineSnapshot, ServiceDiscovery } from '@service-caller/core';
import { maskSecrets, maskText } from './mask.js';
import { type AdminHandlerOptions, type NormalizedAdminOptions, normalizeOptions } from './options.js';
import { renderPage } from './page.js';
import { listedServiceView, type ServicesView, type ServiceView, servicesView } from './services-view.js';

/**
 * What the admin page shows: anything with the engine's `snapshot()`. A `ServiceManager` is one;
 * its `settings` feed `GET /config` and its `registry` lists the `services` option's services
 * before they are called.
 */
export interface AdminSource {
  /** The engine's read-only snapshot (`ServiceManager.snapshot()`). */
  snapshot(): EngineSnapshot;
  /** The effective settings, shown (masked) by `GET /config` unless the `config` option is given. */
  readonly settings?: unknown;
  /** Where the instances of services not called yet come from. */
  readonly registry?: Pick<ServiceDiscovery, 'getInstances'>;
}

/**
 * A request handler for `node:http` (and so for Express, and Fastify's raw request and reply).
 * With `next` (Express middleware), a request outside `basePath` is passed on; without it, it
 * gets a 404.
 */
export type AdminHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Builds the admin page's request handler over `source`:
 *
 * - `GET <basePath>/` (and `<basePath>`): the HTML page; it refreshes itself with `fetch`.
 * - `GET <basePath>/services`: the services the engine has called (plus the `services` option's),
 *   their instances with health, weight, metadata, in-flight attempts, the last minute's latency
 *   and error rate, and ejection state ({@link ServicesView}).
 * - `GET <basePath>/config`: the effective config with every secret as `"***"`.
 *
 * Only `GET` and `HEAD`; other methods get 405. Every answer is `cache-control: no-store`; the page
 * carries a CSP that allows only its own inline style and script (by nonce) and `fetch` to its
 * own origin. The handler never throws: a failing `snapshot()` is a 500 with a JSON error.
 * It checks no `Host` and binds nothing: the server that mounts it decides who reaches it
 * ({@link startAdminServer} binds 127.0.0.1).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const handler = createAdminHandler(manager, { basePath: '/admin' });
 * createServer(handler).listen(9901, '127.0.0.1');
 * ```
 */
export function createAdminHandler(source: AdminSource, options?: AdminHandlerOptions): AdminHandler {
  if (typeof source?.snapshot !== 'function') {
    throw new TypeError(
      'createAdminHandler: source must have a snapshot() method (a ServiceManager has one)',
    );
  }
  const normalized = normalizeOptions(options);
  return (req, res, next) => {
    serve(source, normalized, req, res, next).catch((error: unknown) => {
      // serve() answers its own failures; this is the last guard, so a bug never crashes the server.
      if (!res.headersSent) sendJson(res, 500, { error: errorText(error) }, req.method === 'HEAD');
      else res.destroy();
    });
  };
}

async function serve(
  source: AdminSource,
  options: NormalizedAdminOptions,
  req: IncomingMessage,
  res: ServerResponse,
  next: ((error?: unknown) => void) | undefined,
): Promise<void> {
  // Express strips its mount path from `url` and keeps the whole one in `originalUrl`.
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const path = url.split('?', 1)[0]!;
  const { basePath } = options;
  let route: string | undefined;
  if (path === basePath || path === `${basePath}/`) route = '/';
  else if (path.startsWith(`${basePath}/`)) route = path.slice(basePath.length);
  if (route === undefined) {
    if (next !== undefined) {
      next();
      return;
    }
    sendJson(res, 404, { error: `not found; the admin page is at ${basePath}/` }, req.method === 'HEAD');
    return;
  }
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    sendJson(res, 405, { error: `${String(req.method).slice(0, 16)} not allowed; use GET` }, false);
    return;
  }
  switch (route) {
    case '/': {
      const view = await takeView(source, options);
      if (view === undefined) return sendJson(res, 500, { error: 'snapshot() failed' }, head);
      const nonce = randomBytes(16).toString('base64');
      const html = renderPage(
        options.title,
        { basePath, refreshSeconds: options.refreshSeconds, services: view },
        nonce,
      );
      res.setHeader(
        'content-security-policy',
        `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      );
      return send(res, 200, 'text/html; charset=utf-8', html, head);
    }
    case '/services': {
      const view = await takeView(source, options);
      if (view === undefined) return sendJson(res, 500, { error: 'snapshot() failed' }, head);
      return sendJson(res, 200, view, head);
    }
    case '/config': {
      const config = options.config !== undefined ? options.config : source.settings;
      if (config === undefined)
        return sendJson(res, 404, { error: 'no config was given to this admin handler' }, head);
      return sendJson(res, 200, maskSecrets(config), head);
    }
    default:
      return sendJson(
        res,
        404,
        { error: `not found; the endpoints are ${basePath}/services and ${basePath}/config` },
        head,
      );
  }
}

/** The services view, or `undefined` when `snapshot()` threw. */
async function takeView(
  source: AdminSource,
  options: NormalizedAdminOptions,
): Promise<ServicesView | undefined> {
  let snapshot: EngineSnapshot;
  try {
    snapshot = source.snapshot();
  } catch {
    return undefined;
  }
  const called = new Set(snapshot.services.map((s) => s.serviceName));
  const missing = options.services.filter((name) => !called.has(name));
  const extra = await Promise.all(missing.map((name) => listService(source, name, options.registryTimeout)));
  return servicesView(snapshot, extra);
}

/** A service not called yet, from the registry; its error (masked) when the lookup fails. */
async function listService(source: AdminSource, name: string, timeout: number): Promise<ServiceView> {
  const registry = source.registry;
  if (registry === undefined) return { ...listedServiceView(name, []), error: 'no registry to list it from' };
  try {
    const instances = await registry.getInstances(name, { signal: AbortSignal.timeout(timeout) });
    return listedServiceView(name, instances);
  } catch (error) {
    return { ...listedServiceView(name, []), error: `discovery failed: ${errorText(error)}` };
  }
}

/** An error as one line for the page: its code (or name) and message, secrets masked, bounded. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  const text = `${typeof code === 'string' ? code : error.name}: ${error.message}`;
  return maskText(text).slice(0, 500);
}

function sendJson(res: ServerResponse, status: number, body: unknown, head: boolean): void {
  send(res, status, JSON_TYPE, JSON.stringify(body), head);
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.end(head ? undefined : body);
}
