/**
 * `url` (or a path) without its query string, for error messages and logs: callers put tokens
 * in query strings (`?access_token=...`), and an error never shows a secret.
 *
 * @example
 * ```ts
 * withoutQuery('http://10.0.0.7:8080/users?token=abc'); // 'http://10.0.0.7:8080/users'
 * withoutQuery('/users'); // '/users'
 * ```
 */
export function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}
