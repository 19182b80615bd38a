import type { ServiceDiscovery } from '../contracts/discovery.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { isServiceCallerError, RegistryError } from '../errors/index.js';
import type { CallContext } from './context.js';
import { callSignal } from './deadline.js';

/**
 * The cold path of discovery: the service has not been seen, so the registry is asked, bounded
 * by the call's signal (deadline and caller's abort). A failure that is not already one of ours
 * becomes a `RegistryError`.
 */
export async function lookupInstances(
  discovery: ServiceDiscovery,
  ctx: CallContext,
): Promise<readonly ServiceInstance[]> {
  const signal = callSignal(ctx);
  try {
    if (signal === undefined) return await discovery.getInstances(ctx.serviceName);
    signal.throwIfAborted();
    return await untilAborted(discovery.getInstances(ctx.serviceName, { signal }), signal);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (isServiceCallerError(error)) throw error;
    throw new RegistryError(
      discovery.name,
      `could not look up the instances of service '${ctx.serviceName}'`,
      {
        cause: error,
      },
    );
  }
}

/** `pending`, or the signal's reason as soon as it aborts: a registry may ignore the signal. */
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
