import { once } from 'node:events';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { within } from './bounded.js';

/*
 * Addresses a transport cannot reach: one that refuses (a closed port) and one whose connect
 * never completes (the blackhole), for the connection-error and connect-timeout tests.
 */

/** A port nothing listens on: one the system just handed out and took back. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen({ port: 0, host: '127.0.0.1' });
  await within(once(server, 'listening'), 'a throwaway listener');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await within(once(server, 'close'), 'the throwaway listener closing');
  return port;
}

/**
 * A listening socket whose accept queue is full, so that the kernel drops (does not answer) any
 * further SYN: a connect to it hangs until the client gives up, which is what a connect timeout
 * needs, on loopback and without a network namespace.
 *
 * The socket lives in a worker thread that blocks right after `listen()` (on `Atomics.wait`), so
 * nothing ever accepts; the suite then opens connections until one stays pending. On Linux the
 * queue holds backlog + 1 connections (2 here). Node turns a backlog of 0 into 511, hence 1.
 * Linux and macOS drop the SYN of a full queue; Windows refuses it, so there the connect tests
 * see a refused connection instead of a timeout.
 */
export class Blackhole {
  readonly #wake = new Int32Array(new SharedArrayBuffer(4));
  readonly #sockets: net.Socket[] = [];
  #worker: Worker | undefined;
  origin = '';

  async start(): Promise<void> {
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const server = require('node:net').createServer();
       server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         parentPort.postMessage(server.address().port);
         // Block the thread's event loop: the listening socket is never accepted from.
         Atomics.wait(workerData, 0, 0);
         server.close();
         process.exit(0);
       });`,
      { eval: true, workerData: this.#wake },
    );
    this.#worker = worker;
    const [port] = (await within(once(worker, 'message'), 'the blackhole worker listening')) as [number];
    this.origin = `http://127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 32; attempt++) {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.on('error', () => {});
      this.#sockets.push(socket);
      const connected = await Promise.race([
        once(socket, 'connect').then(() => true),
        // Only setup hangs on this: a loopback handshake the kernel answers takes microseconds.
        new Promise<false>((resolve) => setTimeout(resolve, 1000, false)),
      ]);
      if (!connected) return;
    }
    throw new Error('could not fill the accept queue of the blackhole listener: connects kept completing');
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    const worker = this.#worker;
    if (!worker) return;
    const exited = once(worker, 'exit');
    Atomics.store(this.#wake, 0, 1);
    Atomics.notify(this.#wake, 0);
    await within(exited, 'the blackhole worker exiting').catch(() => worker.terminate());
  }
}
