import protobuf from 'protobufjs/light.js';

/**
 * The one message of the Nacos gRPC protocol (`nacos_grpc_service.proto`, shared by every
 * official client and server): a `Payload` of `Metadata { type = 3, clientIp = 8, headers = 7 }`
 * and a `google.protobuf.Any body = 3` whose `value` is the request or response as UTF-8 JSON.
 * The `type` names the JSON's class (`InstanceRequest`, `ErrorResponse`): the `Any`'s type URL
 * is left empty, as the official clients leave it.
 *
 * Defined from JSON with protobufjs' reflection (light build, no `.proto` file to load or ship).
 */
// `headers` is a map field, which protobufjs' JSON type (`IField`) does not describe.
const root = protobuf.Root.fromJSON({
  nested: {
    Metadata: {
      fields: {
        type: { type: 'string', id: 3 },
        clientIp: { type: 'string', id: 8 },
        headers: { keyType: 'string', type: 'string', id: 7 },
      },
    },
    Any: {
      fields: {
        typeUrl: { type: 'string', id: 1 },
        value: { type: 'bytes', id: 2 },
      },
    },
    Payload: {
      fields: {
        metadata: { type: 'Metadata', id: 2 },
        body: { type: 'Any', id: 3 },
      },
    },
  },
} as protobuf.INamespace);
const PayloadType = root.lookupType('Payload');

/** A decoded payload: the JSON class name, its headers and its parsed body. */
export interface Payload {
  readonly type: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Record<string, unknown>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a request or response: `type` is its class name, `body` its JSON fields. */
export function encodePayload(
  type: string,
  body: Record<string, unknown>,
  headers: Readonly<Record<string, string>> = {},
  clientIp = '',
): Buffer {
  const message = PayloadType.fromObject({
    metadata: { type, clientIp, headers },
    body: { value: encoder.encode(JSON.stringify(body)) },
  });
  return Buffer.from(PayloadType.encode(message).finish());
}

/**
 * Decodes a payload. Throws `TypeError` naming what is wrong for bytes that are no payload or a
 * body that is no JSON object (a server of another protocol on the port).
 */
export function decodePayload(bytes: Uint8Array): Payload {
  const message = PayloadType.toObject(PayloadType.decode(bytes), { defaults: true }) as {
    metadata?: { type?: string; headers?: Record<string, string> };
    body?: { value?: Uint8Array };
  };
  const type = message.metadata?.type ?? '';
  const text = message.body?.value === undefined ? '' : decoder.decode(message.body.value);
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new TypeError(`a Nacos payload of type '${type}' whose body is not JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TypeError(`a Nacos payload of type '${type}' whose body is not a JSON object`);
  }
  return { type, headers: message.metadata?.headers ?? {}, body: body as Record<string, unknown> };
}
