import type { ClientFactory } from './contract.js';
import { createServiceManagerClient } from './service-manager.js';

/** Client 2: `ServiceManager.get` on its default transport, undici. */
export const createClient: ClientFactory = (target) => createServiceManagerClient(target, undefined);
