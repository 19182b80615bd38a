/**
 * `@service-caller/admin`: what a caller sees, live. `createAdminHandler(manager)` is a request
 * handler for `node:http`, Express and Fastify; `startAdminServer({ source: manager })` serves it
 * on 127.0.0.1. Built on `@service-caller/core`'s snapshot alone.
 */
export { type AdminHandler, type AdminSource, createAdminHandler } from './admin-handler.js';
export {
  type AdminServer,
  type AdminServerOptions,
  isLoopbackHost,
  startAdminServer,
} from './admin-server.js';
export { escapeHtml, jsonForScript } from './escape.js';
export { isSecretName, MASK, maskSecrets, maskText } from './mask.js';
export type { AdminHandlerOptions } from './options.js';
export type { InstanceView, ServicesView, ServiceView } from './services-view.js';
