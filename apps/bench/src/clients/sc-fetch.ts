import { fetchTransport } from '@service-caller/transport-fetch';
import type { ClientFactory } from './contract.js';
import { createServiceManagerClient } from './service-manager.js';

/** Client 3: `ServiceManager.get` on the WHATWG fetch transport. */
export const createClient: ClientFactory = (target) => createServiceManagerClient(target, fetchTransport());
