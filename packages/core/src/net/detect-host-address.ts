import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

/**
 * This machine's address as other machines reach it: the first non-internal IPv4 address of
 * `os.networkInterfaces()`, else `127.0.0.1`. Registries register it when no `ip` is configured.
 *
 * @param interfaces The interfaces to choose from. @default os.networkInterfaces()
 */
export function detectHostAddress(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string {
  for (const name in interfaces) {
    const addresses = interfaces[name];
    if (addresses === undefined) continue;
    for (const address of addresses) {
      if (address.family === 'IPv4' && !address.internal) {
        return address.address;
      }
    }
  }
  return '127.0.0.1';
}
