import type { Socket } from 'node:net';
import { buildConnector, errors } from 'undici';

/**
 * The longest interim response held while its end is awaited: undici's own limit for a response
 * head (Node's default `--max-http-header-size`, 16 KiB). A `100` whose head goes on past it is an
 * error, not buffered for ever.
 */
export const MAX_INTERIM_RESPONSE_SIZE = 16 * 1024;

/** `HTTP/1.` , the bytes every HTTP/1.x status line starts with. */
const HTTP_1 = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e];
/** `HTTP/1.x NNN` and one byte after it (a space, or the CR of a status line without a reason). */
const STATUS_LINE_PREFIX = 13;
const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');
const SPACE = 0x20;
const CR = 0x0d;
const ZERO = 0x30;
const ONE = 0x31;
const EMPTY = Buffer.alloc(0);

/** What the bytes at a response's start are, as far as they go. */
const NOT_INTERIM = -1;
const NEED_MORE = 0;

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= ZERO + 9;
}

/**
 * Whether `bytes` (at most {@link STATUS_LINE_PREFIX} of them looked at) can be the start of an
 * interim status line, `HTTP/1.x 1NN` followed by a space or CR, except `101` (an upgrade, which
 * undici handles itself): {@link NOT_INTERIM}, or {@link NEED_MORE} while they still can be.
 */
function statusLineVerdict(bytes: Buffer): typeof NOT_INTERIM | typeof NEED_MORE | 1 {
  const n = Math.min(bytes.length, STATUS_LINE_PREFIX);
  for (let i = 0; i < n; i++) {
    const byte = bytes[i] as number;
    const ok =
      i < 7
        ? byte === HTTP_1[i]
        : i === 7
          ? isDigit(byte)
          : i === 8
            ? byte === SPACE
            : i === 9
              ? byte === ONE
              : i < 12
                ? isDigit(byte)
                : byte === SPACE || byte === CR;
    if (!ok) return NOT_INTERIM;
  }
  if (n < STATUS_LINE_PREFIX) return NEED_MORE;
  // 101 Switching Protocols is not an interim response to skip: undici refuses or upgrades.
  if (bytes[10] === ZERO && bytes[11] === ONE) return NOT_INTERIM;
  return 1;
}

/**
 * Strips unrequested `100 Continue` responses from the start of each response on one HTTP/1.1
 * connection, before undici's parser sees them (undici's HTTP/1.1 client destroys the connection
 * on any `100`, since it never sends `Expect: 100-continue` there; RFC 9110 §15.2 says a client
 * must parse one or more unexpected 1xx responses before the final one).
 *
 * How it knows where a response starts: undici writes every request head as one latin1 string
 * (`${method} ${path} HTTP/1.1\r\n...`), and with pipelining 1 only after the previous response on
 * the connection completed, so the bytes after a request head start its response. A string write
 * that is not chunked framing (which starts with CR) arms the filter; undici's other writes are
 * the body's bytes, never strings, since core's `RequestBody` streams carry `Uint8Array`s. Once
 * armed, reads are looked at: complete `HTTP/1.x 100 ...\r\n\r\n` heads, any number of them, are
 * dropped; other interim responses (`103 Early Hints`) are passed on whole to undici, which skips
 * them, and the filter stays armed for a `100` after them; the first byte of anything else (the
 * final response) disarms it, and every later read goes to undici untouched. A partial interim
 * head is held across reads, up to {@link MAX_INTERIM_RESPONSE_SIZE}.
 */
class InterimContinueFilter {
  readonly #socket: Socket;
  readonly #read: Socket['read'];
  #armed = false;
  /** The start of an interim response whose end has not arrived yet, or `undefined`. */
  #held: Buffer | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    this.#read = socket.read;
    const filter = this;
    const write = socket.write;
    // Own properties on this one socket: undici calls `socket.write(...)` and `socket.read()`.
    // Named parameters, not a rest array: this runs for every write.
    socket.write = function (this: Socket, chunk: unknown, encoding?: unknown, callback?: unknown) {
      if (typeof chunk === 'string' && chunk.charCodeAt(0) !== CR) filter.#armed = true;
      return (write as (c: unknown, e?: unknown, cb?: unknown) => boolean).call(
        this,
        chunk,
        encoding,
        callback,
      );
    } as Socket['write'];
    socket.read = function (this: Socket, size?: number) {
      // `read(0)` is the stream machinery's own nudge; it never returns data.
      if (!filter.#armed || size !== undefined) return filter.#read.call(this, size);
      return filter.#readAtResponseStart();
    };
  }

  /** `socket.read()` while armed: what undici may see of the bytes at hand, or `null`. */
  #readAtResponseStart(): Buffer | null {
    const first = this.#read.call(this.#socket) as Buffer | null;
    if (first === null) return null;
    // The common case, a final response: its status' first digit is not 1. Nothing is copied or
    // allocated, and the filter is off until the next request head.
    if (this.#held === undefined && first.length > 9 && first[9] !== ONE) {
      this.#armed = false;
      return first;
    }
    const kept: Buffer[] = [];
    let chunk: Buffer | null = first;
    while (chunk !== null) {
      const held = this.#held;
      this.#held = undefined;
      // Bounded by MAX_INTERIM_RESPONSE_SIZE: a head that arrives a byte per read is copied again
      // per read, at most 16 KiB each time, and only ever for an interim response.
      const bytes = held === undefined ? chunk : Buffer.concat([held, chunk]);
      // The held bytes were searched already (less the end's first 3 bytes, which may straddle).
      const rest = this.#skipInterim(bytes, held === undefined ? 0 : held.length - 3, kept);
      if (rest === null) return null;
      if (rest.length > 0) {
        kept.push(rest);
        break;
      }
      if (!this.#armed) break;
      chunk = this.#read.call(this.#socket) as Buffer | null;
    }
    if (kept.length === 0) return null;
    return kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept);
  }

  /**
   * Takes the complete interim heads off the front of `bytes` (a `100` dropped, another 1xx put in
   * `kept`), and holds a partial one. Returns the bytes after them (empty when none are left, or
   * everything is held, and the filter then still armed), or `null` once the socket was destroyed.
   * `scanned`: how far into `bytes` the first head's end was already searched for.
   */
  #skipInterim(bytes: Buffer, scanned: number, kept: Buffer[]): Buffer | null {
    let rest = bytes;
    let from = scanned;
    while (rest.length > 0) {
      const verdict = statusLineVerdict(rest);
      if (verdict === NOT_INTERIM) {
        this.#armed = false;
        return rest;
      }
      const end = verdict === NEED_MORE ? -1 : rest.indexOf(END_OF_HEAD, Math.max(9, from));
      if (end === -1 ? rest.length > MAX_INTERIM_RESPONSE_SIZE : end > MAX_INTERIM_RESPONSE_SIZE) {
        this.#armed = false;
        this.#socket.destroy(
          new errors.HeadersOverflowError(
            `an interim 1xx response's head went past ${MAX_INTERIM_RESPONSE_SIZE} bytes without ending`,
          ),
        );
        return null;
      }
      if (end === -1) {
        this.#held = rest;
        return EMPTY;
      }
      from = 0;
      const next = end + END_OF_HEAD.length;
      if (!(rest[10] === ZERO && rest[11] === ZERO)) kept.push(rest.subarray(0, next));
      rest = rest.subarray(next);
    }
    return rest;
  }
}

/**
 * undici's own connector (`buildConnector`, with the transport's connect options) whose HTTP/1.1
 * sockets tolerate unrequested `100 Continue` responses (see {@link InterimContinueFilter}). Only
 * for pipelining 1: with more requests in flight on a connection, the bytes after a request head
 * are not where its response starts. An `h2` socket (ALPN) is left alone.
 */
export function continueTolerantConnector(options: buildConnector.BuildOptions): buildConnector.connector {
  const connect = buildConnector(options);
  return (connectOptions, callback) =>
    connect(connectOptions, (error, socket) => {
      // On a failed connect, undici's connector calls back with the error alone.
      if (!error && socket && (socket as { alpnProtocol?: unknown }).alpnProtocol !== 'h2') {
        new InterimContinueFilter(socket);
      }
      // biome-ignore lint/suspicious/noExplicitAny: the callback takes [null, socket] or [error, null].
      (callback as (...args: any[]) => void)(error, socket);
    });
}
