/*
 * What the conformance suites need besides the adapter under test: servers to call, addresses
 * that refuse or never answer, and a way to watch the server side. Every member is async, so the
 * fixtures can live in this process (Node: `nodeFixtures()` from `@service-caller/testkit/node`)
 * or in a Node process beside a runtime that has none of Node's modules (`remoteFixtures(url)`).
 */

/** A test server with the transport suite's routes (`/echo`, `/json`, `/stall-body`, `/hold`, ...). */
export interface ServerFixture {
  /** `http://127.0.0.1:<port>` (or `https://`). */
  readonly origin: string;
  /** For an `https` server: the PEM of the throwaway CA that signed its certificate. */
  readonly ca?: string;
  /** Resolves once a request with this `id` query parameter reached the server (bounded). */
  seen(id: string): Promise<void>;
  /** Answers the held request (`/hold?id=...`) with `text`. */
  release(id: string, text: string): Promise<void>;
  /** How many connections the server has open right now. */
  openSockets(): Promise<number>;
  /** Resolves once the connection that carried request `id` has closed (bounded). */
  socketClosed(id: string): Promise<void>;
  /**
   * A full request and response to the server on a connection of its own, not through the
   * transport under test: a point by which anything that resolves "soon" has resolved.
   */
  roundTrip(): Promise<void>;
  close(): Promise<void>;
}

/** Something listening on an address, until closed. */
export interface AddressFixture {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Health-check servers for the registry suite: real ports that answer `200 ok`. */
export interface PortsFixture {
  readonly ports: readonly number[];
  close(): Promise<void>;
}

/** The fixtures of the transport suite. */
export interface TransportFixtures {
  /** Starts a test server; `tls: true` makes it `https` with a certificate for 127.0.0.1. */
  startServer(options?: { tls?: boolean }): Promise<ServerFixture>;
  /** An address whose connect never completes (a full accept queue): for connect timeouts. */
  startBlackhole(): Promise<AddressFixture>;
  /** A port on 127.0.0.1 that nothing listens on: for refused connections. */
  closedPort(): Promise<number>;
}

/** The fixtures of the registry suite. */
export interface RegistryFixtures {
  /** `count` HTTP servers on 127.0.0.1 that answer every request with `200 ok`. */
  startHealthServers(count: number): Promise<PortsFixture>;
}

/** Every fixture the suites use. */
export type SuiteFixtures = TransportFixtures & RegistryFixtures;
