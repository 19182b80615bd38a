/**
 * `@service-caller/core/node`: helpers that need Node's built-in modules. Apart from the root
 * and `/adapter` entries, which load on any runtime with `fetch` (Deno, Bun, edge workers), so
 * nothing there may import `node:*`.
 *
 * @example
 * ```ts
 * import { detectHostAddress } from '@service-caller/core/node';
 * ```
 * @module
 */

export * from './net/index.js';
