import { HTTP_METHODS, type HttpMethod, isHttpMethod } from '@service-caller/caller';
import { UsageError } from './usage-error.js';

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `-X post` -> `POST`; throws `UsageError` for anything but the methods the engine sends. */
export function parseMethod(text: string): HttpMethod {
  const upper = text.toUpperCase();
  if (isHttpMethod(upper)) return upper;
  throw new UsageError(`unknown HTTP method '${text}'; expected one of ${HTTP_METHODS.join(', ')}`);
}

/**
 * `-H 'name: value'` lines into a header object. A repeated name (any case) joins its values
 * with `, `, as HTTP does. Throws `UsageError` for a line without a colon or with a bad name.
 */
export function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const nameOf = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    if (colon < 0 || !HEADER_NAME.test(name)) {
      throw new UsageError(
        `bad header '${line}'; expected 'name: value', e.g. -H 'accept: application/json'`,
      );
    }
    const value = line.slice(colon + 1).trim();
    const existing = nameOf.get(name.toLowerCase());
    if (existing === undefined) {
      nameOf.set(name.toLowerCase(), name);
      headers[name] = value;
    } else {
      headers[existing] = `${headers[existing]}, ${value}`;
    }
  }
  return headers;
}

/** `--json '{"a":1}'` -> the value; throws `UsageError` naming the JSON syntax error. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--json is not valid JSON: ${(error as Error).message}`);
  }
}

/** A whole number from `min` to `max`, for `-n` and `--timeout`; throws `UsageError`. */
export function parseWholeNumber(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, found '${text}'`);
  }
  return value;
}
