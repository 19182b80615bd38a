import type { EjectionEvent } from '../contracts/health.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { Logger } from '../contracts/logger.js';
import { isThenable } from './run-stages.js';

/**
 * Runs `onEjection` of each interceptor that has it (`InterceptorChain.ejectionHooks`), in
 * order. Synchronous, as it runs where an attempt's outcome is reported; a throw, or a returned
 * promise that rejects, is logged and changes nothing.
 */
export function runOnEjection(
  interceptors: readonly ServiceInterceptor[],
  event: EjectionEvent,
  logger: Logger,
): void {
  for (let i = 0; i < interceptors.length; i++) {
    const interceptor = interceptors[i]!;
    try {
      const returned: unknown = interceptor.onEjection?.(event);
      if (isThenable(returned)) {
        Promise.resolve(returned).catch((thrown: unknown) => logFailure(logger, interceptor, event, thrown));
      }
    } catch (thrown) {
      logFailure(logger, interceptor, event, thrown);
    }
  }
}

function logFailure(
  logger: Logger,
  interceptor: ServiceInterceptor,
  event: EjectionEvent,
  thrown: unknown,
): void {
  try {
    logger.error(`interceptor '${interceptor.name}' threw in onEjection; ignored`, {
      interceptor: interceptor.name,
      stage: 'onEjection',
      serviceName: event.serviceName,
      instance: event.instance.id,
      error: thrown,
    });
  } catch {
    // Nothing left to tell.
  }
}
