/*
 * The few HTTP requests between `remoteFixtures` (any runtime) and `serveFixtures` (Node), all
 * `POST` with a JSON body, answered `{ value }` or, with status 500, `{ error }`:
 *
 *   /start        { kind: 'server', tls? } | { kind: 'blackhole' } | { kind: 'health', count }
 *                 -> { handle, origin?, ca?, ports? }
 *   /call         { handle, method, args } -> what the fixture's method resolved with
 *   /closed-port  {} -> a port nothing listens on
 */

/** The kinds of fixture a client can start. */
export type FixtureKind = 'server' | 'blackhole' | 'health';

/** The methods a client may call on each kind; the rest of a fixture stays on the server. */
export const FIXTURE_METHODS: Readonly<Record<FixtureKind, readonly string[]>> = {
  server: ['seen', 'release', 'openSockets', 'socketClosed', 'close'],
  blackhole: ['close'],
  health: ['close'],
};
