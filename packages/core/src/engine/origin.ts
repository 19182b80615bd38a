import type { ServiceInstance } from '../contracts/instance.js';

/**
 * The origins already built for an instance. `host` and `port` are the values they were built
 * from: an entry whose instance no longer matches them is rebuilt, so an instance object changed
 * in place never gets a stale origin.
 */
interface CachedOrigins {
  host: string;
  port: number;
  http: string | undefined;
  https: string | undefined;
}

/*
 * Registries hand out the same instance objects until their list changes, so every call to an
 * instance can send the same origin string. Besides the concatenation, that saves the transport's
 * per-origin pool lookup (undici's Agent keys a Map by origin) from hashing a fresh string on
 * every request; a string's hash is computed once and kept with it. Weak: an instance that a
 * registry drops takes its entry with it.
 */
const cache = new WeakMap<ServiceInstance, CachedOrigins>();

/** `protocol://host:port` for `instance`, the same string for every call while it is unchanged. */
export function originOf(protocol: 'http' | 'https', instance: ServiceInstance): string {
  const host = instance.host;
  const port = instance.port;
  let entry = cache.get(instance);
  if (entry === undefined || entry.host !== host || entry.port !== port) {
    entry = { host, port, http: undefined, https: undefined };
    cache.set(instance, entry);
  }
  const cached = entry[protocol];
  if (cached !== undefined) return cached;
  const origin = buildOrigin(protocol, host, port);
  entry[protocol] = origin;
  return origin;
}

function buildOrigin(protocol: 'http' | 'https', host: string, port: number): string {
  // An IPv6 literal needs brackets in a URL; a registry may hand it out with or without them.
  if (host.includes(':') && host.charCodeAt(0) !== 0x5b) return `${protocol}://[${host}]:${port}`;
  return `${protocol}://${host}:${port}`;
}
