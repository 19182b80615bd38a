import { AuthInterceptor, LoggingInterceptor, ServiceManager, type Transport } from '@service-caller/caller';
import { BENCH_TOKEN, type BenchClient, SERVICE_NAME, type UpstreamTarget } from './contract.js';

/**
 * A `ServiceManager` as a user would set it up: the static registry listing the upstream
 * instances, round_robin, and `LoggingInterceptor` (logging off) + `AuthInterceptor` in the chain.
 * `transport` undefined means the manager's default (undici, from the config's pool settings).
 */
export async function createServiceManagerClient(
  target: UpstreamTarget,
  transport: Transport | undefined,
): Promise<BenchClient> {
  const manager = await createBenchManager(target, transport);
  const path = target.path;
  return {
    call: () => manager.get(SERVICE_NAME, path),
    async close() {
      await manager.close();
      await transport?.close();
    },
  };
}

/** The manager itself: static registry of the upstream, round_robin, Logging (off) + Auth. */
export function createBenchManager(
  target: Pick<UpstreamTarget, 'host' | 'ports'>,
  transport: Transport | undefined,
): Promise<ServiceManager> {
  return ServiceManager.create({
    config: {
      serviceCaller: { lbType: 'round_robin' },
      appRegistry: {
        static: { services: { [SERVICE_NAME]: target.ports.map((port) => ({ host: target.host, port })) } },
      },
    },
    interceptors: [
      new LoggingInterceptor({ logRequest: false, logResponse: false }),
      new AuthInterceptor({ token: BENCH_TOKEN }),
    ],
    ...(transport === undefined ? {} : { transport }),
  });
}
