/**
 * A service of ours in a process of its own, for the interop tests that SIGKILL it: a
 * `ServiceManager` registers it in Nacos and it serves GET / with its name. Prints one line of
 * JSON on stdout once registered: {"ready": true, "port": N}.
 *
 *   tsx --conditions=source test/ts-service.ts <server-addr> <service-name> [api-version]
 */
import { ServiceManager } from '../../caller/src/index.js';
import { selfRegistering, startNamedServer } from './support.js';

const [serverAddr, name, apiVersion] = process.argv.slice(2);
if (serverAddr === undefined || name === undefined) {
  console.error('usage: ts-service.ts <server-addr> <service-name>');
  process.exit(2);
}
const server = await startNamedServer(name);
await ServiceManager.create({
  config: selfRegistering(
    serverAddr,
    name,
    server.port,
    apiVersion === undefined ? {} : { apiVersion: apiVersion as 'v1' | 'v3' | 'grpc' },
  ),
});
console.log(JSON.stringify({ ready: true, port: server.port }));
// Serves until killed; the heartbeats' timers are unref()ed, so hold the process open.
setInterval(() => {}, 60_000);
