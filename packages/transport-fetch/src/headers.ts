import type { IncomingHeaders } from '@service-caller/core';

/**
 * The response headers as the transports share them: a plain object with lower-case names (as
 * `Headers` already gives them), `set-cookie` from `getSetCookie()` so that cookies are never
 * joined by commas: an array when the server sent several, a string when it sent one, as undici does.
 */
export function toIncomingHeaders(headers: Headers): IncomingHeaders {
  const result: Record<string, string | string[]> = {};
  // A runtime without getSetCookie() joins cookies into one value; keep that rather than nothing.
  const splitsCookies = typeof headers.getSetCookie === 'function';
  headers.forEach((value, name) => {
    if (name === 'set-cookie' && splitsCookies) return;
    // A header named `__proto__` must be data, not the object's prototype.
    if (name === '__proto__') {
      Object.defineProperty(result, name, { value, enumerable: true, configurable: true, writable: true });
    } else {
      result[name] = value;
    }
  });
  const cookies = splitsCookies ? headers.getSetCookie() : [];
  if (cookies.length === 1) result['set-cookie'] = cookies[0]!;
  else if (cookies.length > 1) result['set-cookie'] = cookies;
  return result;
}
