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

/** URLs longer than this are cut in messages (after the query is dropped): a 1 MB path must not make a 1 MB error. */
const MAX_URL_SHOWN = 200;

/**
 * `url` as an error message or a log line shows it: without its query string (see
 * {@link withoutQuery}), cut after 200 characters (`...` marks the cut). Error fields such as
 * `HttpStatusError.url` keep the whole URL without its query; only the message is cut.
 */
export function urlForMessage(url: string): string {
  const shown = withoutQuery(url);
  return shown.length > MAX_URL_SHOWN ? `${shown.slice(0, MAX_URL_SHOWN)}...` : shown;
}

/**
 * `url` with its query string shown as `?...`: for messages about the URL's form, where the reader
 * should still see that a query was there.
 *
 * @example
 * ```ts
 * withQueryElided('/users?token=abc'); // '/users?...'
 * ```
 */
export function withQueryElided(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : `${url.slice(0, at)}?...`;
}
