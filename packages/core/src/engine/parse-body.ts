import type { IncomingHeaders, RawResponse } from '../contracts/transport.js';
import { ServiceCallerError } from '../errors/index.js';
import { withoutQuery } from './url.js';

/**
 * A response body announced as JSON (`application/json`, `*+json`) could not be parsed.
 * Only successful (2xx) responses throw it; the body of an error status that is not valid JSON
 * becomes the `HttpStatusError`'s `body` as text instead, so the status is never hidden.
 */
export class ResponseParseError extends ServiceCallerError {
  /** The response's status. */
  readonly status: number;
  /** The URL the response came from. */
  readonly url: string;
  /** The media type of the response, lower case, without parameters. */
  readonly contentType: string;
  /** The body as received, for diagnosis. Not part of the message: it may carry data. */
  readonly text: string;

  constructor(
    fields: { status: number; url: string; contentType: string; text: string },
    options: { cause?: unknown } = {},
  ) {
    super(
      `the ${fields.contentType} body (${fields.text.length} characters) of the ${fields.status} response from ${withoutQuery(fields.url)} is not valid JSON`,
      { code: 'SC_ERR_RESPONSE_PARSE', cause: options.cause },
    );
    this.status = fields.status;
    this.url = fields.url;
    this.contentType = fields.contentType;
    this.text = fields.text;
  }
}

/** Whether `e` is a `ResponseParseError`, also across duplicated copies of this package. */
export const isResponseParseError = (e: unknown): e is ResponseParseError =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'SC_ERR_RESPONSE_PARSE';

function header(headers: IncomingHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The media type, lower case, parameters dropped: `application/json; charset=utf-8` -> `application/json`. */
function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  // The common exact forms need no slicing or lower-casing.
  if (contentType === 'application/json' || contentType === 'application/json; charset=utf-8') {
    return 'application/json';
  }
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

function isJson(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * Reads and parses a response body by its content type:
 *
 * - `application/json` and `*+json` -> the parsed JSON value; invalid JSON -> `ResponseParseError`
 * - `text/*` -> a string (decoded by the `charset` parameter; UTF-8 when absent or unknown)
 * - an empty body (status 204 or 304, `content-length: 0`, or zero bytes read) -> `undefined`
 * - anything else, a missing content type included -> the bytes as a `Uint8Array`
 *
 * The body is consumed (or disposed when it is known to be empty).
 */
export function parseBody(response: RawResponse): Promise<unknown> {
  return readBody(response, undefined, false);
}

/**
 * The media type of `response`'s body when it is to be read and parsed as JSON: a JSON content
 * type on a response that can have a body. `undefined` otherwise, `readBody` then decides. Lets
 * the engine read the common JSON body without one more async step.
 * @internal
 */
export function jsonBodyType(response: RawResponse, method: string | undefined): string | undefined {
  const { status, headers } = response;
  if (method === 'HEAD' || status === 204 || status === 304 || header(headers, 'content-length') === '0') {
    return undefined;
  }
  const type = mediaType(header(headers, 'content-type'));
  return isJson(type) ? type : undefined;
}

/**
 * Parses the text of a JSON body (`type` is its media type): `undefined` when empty; invalid JSON
 * is `ResponseParseError`, or the text itself when `lenient`.
 * @internal
 */
export function parseJsonText(text: string, response: RawResponse, type: string, lenient: boolean): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    if (lenient) return text;
    throw new ResponseParseError(
      { status: response.status, url: response.url, contentType: type, text },
      { cause: error },
    );
  }
}

/**
 * `parseBody` as the engine uses it: `method` HEAD means no body whatever the headers say, and
 * `lenient` turns invalid JSON into its text (for the body of an `HttpStatusError`).
 * @internal
 */
export async function readBody(
  response: RawResponse,
  method: string | undefined,
  lenient: boolean,
): Promise<unknown> {
  const { status, headers } = response;
  if (method === 'HEAD' || status === 204 || status === 304 || header(headers, 'content-length') === '0') {
    if (!response.bodyUsed) await response.dispose();
    return undefined;
  }
  const contentType = header(headers, 'content-type');
  const type = mediaType(contentType);
  if (isJson(type)) return parseJsonText(await response.text(), response, type, lenient);
  if (type.startsWith('text/')) {
    const charset = charsetOf(contentType!);
    let text: string;
    if (charset === undefined || charset === 'utf-8' || charset === 'utf8') {
      text = await response.text();
    } else {
      text = decode(await response.bytes(), charset);
    }
    return text.length === 0 ? undefined : text;
  }
  const bytes = await response.bytes();
  return bytes.byteLength === 0 ? undefined : bytes;
}

function decode(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch (error) {
    // An unknown label is the server's mistake; UTF-8 is what nearly every server means.
    if (error instanceof RangeError) return new TextDecoder().decode(bytes);
    throw error;
  }
}
