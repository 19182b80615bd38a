import type { IncomingMessage } from 'node:http';

/**
 * The slice of Consul's ACL system the double models: tokens with `service_prefix` rules and the
 * agent's `acl.default_policy`. `node:read` (which `/health/service` also needs) is treated as
 * granted whenever `service:read` is, since the double has a single node.
 */

/** A `service_prefix "<prefix>" { policy = "<rule>" }` rule. */
export type ServiceRule = 'read' | 'write' | 'deny';

export interface DoubleToken {
  /** The secret a client sends in `X-Consul-Token`. */
  readonly secretId: string;
  /** The public id Consul names in "Permission denied" messages. */
  readonly accessorId: string;
  /** Service-name prefix -> rule; the longest matching prefix wins (`''` matches every name). */
  readonly servicePrefixes: Readonly<Record<string, ServiceRule>>;
}

export interface AclSettings {
  /** `acl.default_policy`: what applies when no rule of the token matches. */
  readonly defaultPolicy: 'allow' | 'deny';
  readonly tokens: readonly DoubleToken[];
  /** Rules of the anonymous token, used when a request carries no token. @default {} */
  readonly anonymous?: Readonly<Record<string, ServiceRule>>;
}

/** Who a request acts as. */
export type AclIdentity =
  | { readonly kind: 'disabled' }
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'token'; readonly token: DoubleToken };

/** Consul's reply to a secret it does not know: 403 with this text body. */
export const ACL_NOT_FOUND = 'ACL not found';

/**
 * The token of a request, in Consul's order: `X-Consul-Token`, then `Authorization: Bearer`,
 * then the deprecated `?token=` query parameter.
 */
export function requestToken(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const header = req.headers['x-consul-token'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '');
  const fromQuery = query.get('token');
  return fromQuery === null || fromQuery === '' ? undefined : fromQuery;
}

/** Resolves a secret to an identity, or `undefined` when ACLs are on and the secret is unknown. */
export function resolveIdentity(
  acl: AclSettings | undefined,
  secret: string | undefined,
): AclIdentity | undefined {
  if (!acl) return { kind: 'disabled' };
  if (secret === undefined || secret === 'anonymous') return { kind: 'anonymous' };
  const token = acl.tokens.find((t) => t.secretId === secret);
  return token ? { kind: 'token', token } : undefined;
}

/** Whether `identity` may `access` the service called `name`. */
export function allowed(
  acl: AclSettings | undefined,
  identity: AclIdentity,
  name: string,
  access: 'read' | 'write',
): boolean {
  if (!acl || identity.kind === 'disabled') return true;
  const rules = identity.kind === 'token' ? identity.token.servicePrefixes : (acl.anonymous ?? {});
  let best: ServiceRule | undefined;
  let bestLength = -1;
  for (const [prefix, rule] of Object.entries(rules)) {
    if (name.startsWith(prefix) && prefix.length > bestLength) {
      best = rule;
      bestLength = prefix.length;
    }
  }
  if (best === undefined) return acl.defaultPolicy === 'allow';
  if (best === 'deny') return false;
  return access === 'read' || best === 'write';
}

/** The text of Consul's (1.12+) 403 for a missing permission. */
export function permissionDenied(identity: AclIdentity, access: 'read' | 'write', name: string): string {
  const what = `lacks permission 'service:${access}' on ${JSON.stringify(name)}`;
  if (identity.kind === 'token') {
    return `Permission denied: token with AccessorID '${identity.token.accessorId}' ${what}`;
  }
  return `Permission denied: anonymous token ${what}. The anonymous token is used implicitly when a request does not specify a token.`;
}
