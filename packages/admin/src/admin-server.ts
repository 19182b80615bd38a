import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceCallerError } from '@service-caller/core';
import { type AdminSource, createAdminHandler } from './admin-handler.js';
import { type AdminHandlerOptions, bad } from './options.js';

/**
 * Options of {@link startAdminServer}: the handler's options, the source, and where to listen.
 *
 * @example
 * ```ts
 * await using admin = await startAdminServer({ source: manager, port: 9901 });
 * console.log(admin.url); // http://127.0.0.1:9901/
 * ```
 */
export interface AdminServerOptions extends AdminHandlerOptions {
  /** What the page shows (a `ServiceManager`). */
  source: AdminSource;
  /**
   * The address to listen on. Only a loopback address (`127.0.0.1`, `::1`, `localhost`) unless
   * `allowRemote` is set: the page shows the topology of your services.
   * @default '127.0.0.1'
   */
  host?: string;
  /** The port; 0 picks a free one (read it from `url` or `port`). @default 0 */
  port?: number;
  /**
   * Allow a non-loopback `host` (`0.0.0.0`, a LAN address). The page has no authentication:
   * put it behind something that has. Also lifts the `Host` header check.
   * @default false
   */
  allowRemote?: boolean;
}

/** A running admin server. Close it with `close()` or `await using`. */
export interface AdminServer extends AsyncDisposable {
  /** The page's URL, `http://127.0.0.1:<port><basePath>/`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The underlying server, for what the options do not cover. */
  readonly server: Server;
  /** Stops listening and ends open connections (the page's keep-alive ones too). */
  close(): Promise<void>;
}

const FILE = '<startAdminServer options>';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
/** `Host` header values a loopback-bound server answers: a page on another name is DNS rebinding. */
const LOOPBACK_HOST_HEADER = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/** Whether `host` is a loopback address or name. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Serves the admin page on its own `node:http` server, bound to 127.0.0.1 by default. Binding to
 * another address needs `allowRemote: true` (else a `ConfigError`); while bound to loopback, a
 * request whose `Host` is not a loopback name gets 403, so a web page cannot read the admin page
 * through DNS rebinding. A port in use rejects with a `ServiceCallerError` (`SC_ERR_ADMIN_LISTEN`).
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  if (typeof options !== 'object' || options === null) bad(FILE, '', 'an options object', options);
  const { source, host = '127.0.0.1', port = 0, allowRemote = false, ...handlerOptions } = options;
  if (typeof allowRemote !== 'boolean') bad(FILE, 'allowRemote', 'a boolean', allowRemote);
  if (typeof host !== 'string' || host === '') bad(FILE, 'host', 'an address to listen on', host);
  if (!allowRemote && !isLoopbackHost(host)) {
    bad(FILE, 'host', 'a loopback address (127.0.0.1, ::1, localhost), or allowRemote: true', host);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) bad(FILE, 'port', 'a port from 0 to 65535', port);
  const handler = createAdminHandler(source, handlerOptions);
  const checkHost = !allowRemote;
  const server = createServer((req, res) => {
    if (checkHost && !LOOPBACK_HOST_HEADER.test(req.headers.host ?? '')) {
      res.statusCode = 403;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end('forbidden: this admin page answers only to 127.0.0.1, localhost and [::1]\n');
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new ServiceCallerError(
          `admin server: cannot listen on ${host}:${port}: ${error.code ?? error.message}`,
          {
            code: 'SC_ERR_ADMIN_LISTEN',
            cause: error,
          },
        ),
      );
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${bound}${handlerOptions.basePath ?? ''}/`;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  return { url, host, port: bound, server, close, [Symbol.asyncDispose]: close };
}
