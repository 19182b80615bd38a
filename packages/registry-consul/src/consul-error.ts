import { RegistryError } from '@service-caller/core';

/**
 * Turns what the `consul` package throws into a `RegistryError` a user can act on, without the
 * ACL token.
 *
 * The package's errors are unsafe to pass on: a `ResponseError` carries the Node response, and
 * through it the request with its `x-consul-token` header; its message may hold the agent's body.
 * So the registry never hands them out. It keeps the status, the error code and a scrubbed copy
 * of the message, and builds a new, plain cause from those.
 */

/** The status of an agent's HTTP answer, when the error is one. */
export function statusOf(error: unknown): number | undefined {
  const e = error as { isResponse?: boolean; statusCode?: unknown } | null;
  return e && e.isResponse === true && typeof e.statusCode === 'number' ? e.statusCode : undefined;
}

/** Whether the error means the agent could not be reached or did not answer in time. */
export function isUnreachable(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status >= 500;
}

export interface ErrorContext {
  /** What the registry was doing: `discovering 'orders'`, `registering 'orders-10.0.0.1-80'`. */
  readonly action: string;
  /** `http(s)://host:port` of the agent. */
  readonly agentUrl: string;
  readonly datacenter: string | undefined;
  /** Whether a token was configured (it changes what a 403 means). */
  readonly hasToken: boolean;
  /** Strings that must not appear in the message: the token. */
  readonly secrets: readonly string[];
}

export function toRegistryError(error: unknown, context: ErrorContext): RegistryError {
  const status = statusOf(error);
  const detail = scrub(bodyText(error) ?? messageOf(error), context.secrets);
  const where = `the Consul agent at ${context.agentUrl}`;
  let message: string;
  if (status === 403) {
    message = context.hasToken
      ? `ACL token rejected (403) by ${where} while ${context.action}: ${detail}. Check app-registry.consul.token and its policy (service:write to register, service:read and node:read to discover).`
      : `ACL token rejected (403) by ${where} while ${context.action}: ${detail}. No token is configured, so the agent used its anonymous token; set app-registry.consul.token.`;
  } else if (status === 500 && /no path to datacenter/i.test(detail)) {
    message = `datacenter '${context.datacenter ?? ''}' is unknown to ${where} while ${context.action} (500 ${detail}); check app-registry.consul.datacenter`;
  } else if (status !== undefined) {
    message = `${where} answered ${status} while ${context.action}: ${detail}`;
  } else if (isTimeout(error)) {
    message = `no answer from ${where} in time while ${context.action}: ${detail}`;
  } else {
    const code = codeOf(error);
    const tls = code !== undefined && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code);
    message = `cannot reach ${where} while ${context.action}: ${detail}${
      tls ? ' (a TLS failure: check app-registry.consul.secure and the CA)' : ''
    }`;
  }
  const cause = new Error(detail);
  Object.assign(cause, { code: codeOf(error), status });
  return new RegistryError('consul', message, { cause });
}

/** Replaces every secret in `text` with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('***');
  return out;
}

function bodyText(error: unknown): string | undefined {
  const body = (error as { response?: { body?: unknown } } | null)?.response?.body;
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : undefined;
  if (text === undefined || text.trim() === '') return undefined;
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length > 300 ? `${flat.slice(0, 300)}...` : flat;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    // papi prefixes its client and request names (`consul: health.service: ...`); the registry's
    // own message already says what was being done.
    const message = error.message.replace(/^consul: [\w.]+: /, '');
    const code = codeOf(error);
    return code && !message.includes(code) ? `${code} ${message}` : message;
  }
  return String(error);
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isTimeout(error: unknown): boolean {
  return (error as { isTimeout?: boolean } | null)?.isTimeout === true;
}
