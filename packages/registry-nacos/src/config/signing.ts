import { createHmac } from 'node:crypto';

/** An access key / secret key pair (Alibaba Cloud MSE / ACM), as the official clients take it. */
export interface AccessKeyPair {
  readonly accessKey: string;
  /** Secret: only ever an HMAC key. */
  readonly secretKey: string;
}

function hmacSha1(secretKey: string, data: string): string {
  return createHmac('sha1', secretKey).update(data, 'utf8').digest('base64');
}

/**
 * The headers that sign a config request, as the official clients compute them (Java
 * `SpasAdapter.getSignHeaders`, nacos-sdk-python `request_config_server`, nacos-sdk-go): the
 * resource is `tenant+group` (or `group` alone, or nothing), and `Spas-Signature` is the Base64
 * HMAC-SHA1 of `resource+timestamp` (of the timestamp alone without a resource) under the secret key.
 */
export function configSignHeaders(
  pair: AccessKeyPair,
  scope: { tenant: string; group: string | undefined },
  now: number,
): Record<string, string> {
  const timestamp = String(now);
  const { tenant, group } = scope;
  const resource = tenant !== '' && group ? `${tenant}+${group}` : (group ?? '');
  return {
    'Spas-AccessKey': pair.accessKey,
    Timestamp: timestamp,
    'Spas-Signature': hmacSha1(pair.secretKey, resource === '' ? timestamp : `${resource}+${timestamp}`),
  };
}
