/**
 * `url` (or a path) without its query string, for errors and logs: callers put tokens in query
 * strings, and an error never shows a secret.
 */
export function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}
