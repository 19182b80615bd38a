import type { BufferedResponse, IncomingHeaders, RawResponse } from '../contracts/transport.js';
import { ServiceCallerError } from '../errors/index.js';
import { urlForMessage } from '../http/url.js';

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
      `the ${fields.contentType} body (${fields.text.length} characters) of the ${fields.status} response from ${urlForMessage(fields.url)} is not valid JSON`,
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
 * How a response's body is to be read, decided from the method, status and headers alone.
 * @internal
 */
export const BodyKind = {
  /** No body: HEAD, 204, 304 or `content-length: 0`. */
  None: 0,
  /** `application/json` or `*+json`. */
  Json: 1,
  /** `text/*` in UTF-8 (no charset, or utf-8). */
  Utf8Text: 2,
  /** `text/*` in another charset. */
  CharsetText: 3,
  /** Anything else, a missing content type included. */
  Bytes: 4,
} as const;

/** One of the {@link BodyKind} values. @internal */
export type BodyKind = (typeof BodyKind)[keyof typeof BodyKind];

/**
 * How `response`'s body is to be read. `method` HEAD means no body whatever the headers say.
 * @internal
 */
export function bodyKind(response: RawResponse, method: string | undefined): BodyKind {
  const { status, headers } = response;
  if (method === 'HEAD' || status === 204 || status === 304 || header(headers, 'content-length') === '0') {
    return BodyKind.None;
  }
  return bodyKindOfType(header(headers, 'content-type'));
}

/**
 * How a body of `contentType` is to be read. For a body already read whole no other header is
 * needed: an empty one parses to `undefined` whatever its kind.
 * @internal
 */
export function bodyKindOfType(contentType: string | undefined): BodyKind {
  const type = mediaType(contentType);
  if (isJson(type)) return BodyKind.Json;
  if (!type.startsWith('text/')) return BodyKind.Bytes;
  const charset = charsetOf(contentType!);
  return charset === undefined || charset === 'utf-8' || charset === 'utf8'
    ? BodyKind.Utf8Text
    : BodyKind.CharsetText;
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
  return readBody(response, bodyKind(response, undefined), false);
}

/**
 * Parses the text of a JSON body: `undefined` when empty; invalid JSON is `ResponseParseError`,
 * or the text itself when `lenient` (the body of an `HttpStatusError`).
 * @internal
 */
export function parseJsonText(text: string, response: RawResponse, lenient: boolean): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    if (lenient) return text;
    throw new ResponseParseError(
      {
        status: response.status,
        url: response.url,
        contentType: mediaType(header(response.headers, 'content-type')),
        text,
      },
      { cause: error },
    );
  }
}

/**
 * `parseBody` as the engine uses it, for a body of `kind` (see {@link bodyKind}); `lenient`
 * turns invalid JSON into its text.
 * @internal
 */
export async function readBody(response: RawResponse, kind: BodyKind, lenient: boolean): Promise<unknown> {
  switch (kind) {
    case BodyKind.None:
      if (!response.bodyUsed) await response.dispose();
      return undefined;
    case BodyKind.Json:
      return parseJsonText(await response.text(), response, lenient);
    case BodyKind.Utf8Text:
      return textOrUndefined(await response.text());
    case BodyKind.CharsetText:
      return textOrUndefined(decode(await response.bytes(), charsetIn(response)));
    default:
      return bytesOrUndefined(await response.bytes());
  }
}

/**
 * `readBody` for a body the transport has already read whole: no await at all.
 * @internal
 */
export function parseBufferedBody(response: BufferedResponse, kind: BodyKind, lenient: boolean): unknown {
  switch (kind) {
    case BodyKind.None:
      return undefined;
    case BodyKind.Json:
      return parseJsonText(response.bodyText(), response, lenient);
    case BodyKind.Utf8Text:
      return textOrUndefined(response.bodyText());
    case BodyKind.CharsetText:
      return textOrUndefined(
        decode(response.bodyBytes, charsetOf(response.header('content-type') ?? '') ?? 'utf-8'),
      );
    default:
      return bytesOrUndefined(response.bodyBytes);
  }
}

function textOrUndefined(text: string): string | undefined {
  return text.length === 0 ? undefined : text;
}

function bytesOrUndefined(bytes: Uint8Array): Uint8Array | undefined {
  return bytes.byteLength === 0 ? undefined : bytes;
}

function charsetIn(response: RawResponse): string {
  return charsetOf(header(response.headers, 'content-type') ?? '') ?? 'utf-8';
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
