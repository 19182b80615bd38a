import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';

/**
 * What a misbehaving upstream does with one request: `socket` is the connection, `path` the
 * request's path. It writes what it likes; the connection stays open unless it ends it.
 */
export type Misbehaviour = (socket: net.Socket, path: string) => void;

/**
 * The answer to `/good`: a well-formed keep-alive response, so a test can check that the next
 * call on the same transport (and origin) still succeeds after a bad one.
 */
export const GOOD_BODY = '{"ok":true}';

function answerGood(socket: net.Socket): void {
  socket.write(
    `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${GOOD_BODY.length}\r\nconnection: keep-alive\r\n\r\n${GOOD_BODY}`,
  );
}

/**
 * A raw TCP server on 127.0.0.1 (port 0) that reads request heads itself and answers each by its
 * path: `/good` well, any other path through `behaviours[path]`. Written on `net`, not `node:http`,
 * so it can send what no HTTP server would: non-HTTP bytes, broken framing, endless headers.
 * Request bodies are not expected (the tests send GETs). Every timer a behaviour starts must be
 * tied to its socket's `close`; `close()` destroys every connection. With `certificate`, it speaks
 * TLS (`https://` origin) and the behaviours write the plaintext.
 */
export async function startRawUpstream(
  behaviours: Record<string, Misbehaviour>,
  certificate?: { key: string; cert: string },
) {
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        const path = head.split(' ')[1] ?? '/';
        if (path === '/good') answerGood(socket);
        else behaviours[path]?.(socket, path);
      }
    });
  };
  const server = certificate
    ? tls.createServer(certificate, onConnection).on('tlsClientError', () => {})
    : net.createServer(onConnection);
  server.listen({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `${certificate ? 'https' : 'http'}://127.0.0.1:${port}`,
    /** Connections open right now. */
    get connections(): number {
      return sockets.size;
    },
    async close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Repeats `write` every `ms` until the socket closes or `write` returns false. */
export function every(socket: net.Socket, ms: number, write: () => boolean): void {
  const timer = setInterval(() => {
    if (socket.destroyed || !write()) clearInterval(timer);
  }, ms);
  socket.once('close', () => clearInterval(timer));
}

/** Writes `chunk` as fast as the socket drains it, until the socket closes. */
export function flood(socket: net.Socket, chunk: Buffer | string): void {
  const pump = () => {
    while (!socket.destroyed && socket.write(chunk)) {
      /* until the kernel buffer is full */
    }
  };
  socket.on('drain', pump);
  pump();
}

const SSH_BANNER = 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5';
const GARBAGE = Buffer.from([
  0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0xfe, 0x00, 0xff,
]);

/**
 * The misbehaviours both transports' tests play, by path: non-HTTP bytes, broken framing, headers
 * and bodies that never end, interim responses.
 */
export const MISBEHAVIOURS: Record<string, Misbehaviour> = {
  '/ssh': (socket) => socket.write(`${SSH_BANNER}\r\n`),
  '/garbage': (socket) => socket.write(GARBAGE),
  '/bad-status': (socket) => socket.write('HTTP/1.1 2OO SECRET-STATUS\r\ncontent-length: 0\r\n\r\n'),
  '/bad-chunk': (socket) =>
    socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzzSECRETCHUNK\r\nhello\r\n'),
  '/nul-header': (socket) =>
    socket.write('HTTP/1.1 200 OK\r\nx-bad: sec\0ret\r\ncontent-length: 2\r\n\r\nok'),
  '/header-flood': (socket) => {
    socket.write('HTTP/1.1 200 OK\r\n');
    flood(socket, `x-filler: ${'f'.repeat(1000)}\r\n`);
  },
  '/headers-never-end': (socket) => {
    socket.write('HTTP/1.1 200 OK\r\n');
    let n = 0;
    every(socket, 50, () => socket.write(`x-slow-${n++}: v\r\n`));
  },
  '/endless': (socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
    const chunk = `4000\r\n${'x'.repeat(0x4000)}\r\n`;
    flood(socket, chunk);
  },
  '/trickle': (socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 10000\r\n\r\n');
    every(socket, 50, () => socket.write('x'));
  },
  '/continue': (socket) =>
    socket.write(
      `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${GOOD_BODY.length}\r\n\r\n${GOOD_BODY}`,
    ),
  '/continue-endless': (socket) => {
    socket.write('HTTP/1.1 100 Continue\r\n');
    flood(socket, `x-filler: ${'f'.repeat(1000)}\r\n`);
  },
  '/early-hints': (socket) =>
    socket.write(
      `HTTP/1.1 103 Early Hints\r\nlink: </x.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${GOOD_BODY.length}\r\n\r\n${GOOD_BODY}`,
    ),
};

/** Bytes the servers above send that must never be quoted by an error's message. */
export const SENT_BYTES = ['SSH-2.0', 'OpenSSH', 'SECRET', 'sec\0ret', 'ret\r', '\u00fe', 'f'.repeat(50)];
