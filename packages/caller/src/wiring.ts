import type { Logger, Transport } from '@service-caller/core';
import { type DefaultTransportSettings, defaultTransport } from './default-transport.js';

/**
 * The two things `ServiceManager.create` builds from outside the config: modules loaded on
 * demand (the optional registry adapters) and the default transport (undici, or fetch on Bun:
 * see default-transport.ts). Internal: tests swap it
 * through {@link WIRING} to reach paths a real install cannot (an adapter that is not installed
 * while the workspace has it).
 * @internal
 */
export interface Wiring {
  importModule(specifier: string): Promise<unknown>;
  createTransport(settings: DefaultTransportSettings, logger: Logger): Transport;
}

/**
 * Key of the internal wiring override on `ServiceManagerOptions`. Not exported from the package.
 * @internal
 */
export const WIRING: unique symbol = Symbol('service-caller.wiring');

/** What a published install uses. */
export const defaultWiring: Wiring = {
  // A non-literal specifier: bundlers must not try to resolve an optional peer that is absent.
  importModule: (specifier) => import(/* @vite-ignore */ specifier),
  createTransport: (settings, logger) => defaultTransport(settings, logger),
};
