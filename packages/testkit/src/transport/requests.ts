import type { TransportRequest } from '@service-caller/core';

const encoder = new TextEncoder();

let lastId = 0;

/** A request id unique to this run, for the routes that report when they saw a request. */
export function nextId(): string {
  lastId += 1;
  return `r${lastId}`;
}

/** A `GET` of `path` on `origin` with no headers, changed by `extra`. */
export function requestTo(
  origin: string,
  path: string,
  extra: Partial<TransportRequest> = {},
): TransportRequest {
  return { method: 'GET', origin, path, headers: {}, ...extra };
}

/** The whole body of `stream`, as bytes. Bounded by the test server's bodies, which all end. */
export async function readStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A request body that arrives in `parts`, one chunk each. */
export function streamOf(parts: string[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[index++];
      if (part === undefined) controller.close();
      else controller.enqueue(encoder.encode(part));
    },
  });
}
