import type { QueryParams } from '../contracts/request.js';
import { InvalidRequestError } from '../errors/index.js';
import { describeValue, shorten } from '../options/describe-value.js';

/**
 * Appends `query` to `path`: after a '?' already in the path with '&' (or directly after a
 * trailing '?' or '&'), else after a new '?'. Nothing is appended for an empty query.
 *
 * An object's keys and values are percent-encoded with `encodeURIComponent`; an array value
 * repeats the key; `undefined` and `null` values are left out. `URLSearchParams` are serialized
 * as they are (`application/x-www-form-urlencoded`, a space as '+').
 */
export function appendQuery(path: string, query: QueryParams | URLSearchParams | undefined): string {
  if (query === undefined) return path;
  const search = query instanceof URLSearchParams ? query.toString() : encodeQuery(query);
  if (search.length === 0) return path;
  const mark = path.indexOf('?');
  if (mark < 0) return `${path}?${search}`;
  const last = path.charCodeAt(path.length - 1);
  return mark === path.length - 1 || last === 0x26 ? path + search : `${path}&${search}`;
}

function encodeQuery(query: QueryParams): string {
  let search = '';
  for (const key in query) {
    if (!Object.hasOwn(query, key)) continue;
    const value = query[key];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (item === undefined || item === null) continue;
        search = append(search, key, item, `${key}[${i}]`);
      }
    } else {
      search = append(search, key, value, key);
    }
  }
  return search;
}

function append(search: string, key: string, value: unknown, where: string): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else {
    throw new InvalidRequestError(
      `options.query.${shorten(where)} must be a string, a finite number, a boolean or an array of them, found ${Array.isArray(value) ? 'a nested array' : describeValue(value, 'call')}`,
    );
  }
  let pair: string;
  try {
    pair = `${encodeURIComponent(key)}=${encodeURIComponent(text)}`;
  } catch (error) {
    throw new InvalidRequestError(`options.query.${shorten(where)} contains a lone UTF-16 surrogate`, {
      cause: error,
    });
  }
  return search.length === 0 ? pair : `${search}&${pair}`;
}
