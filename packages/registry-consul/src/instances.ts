import type { ServiceInstance } from '@service-caller/core';

/**
 * From Consul's health entries to the core's instances.
 *
 * - `host`: the service's `Address`, else the node's (Consul's own rule for DNS and catalog).
 * - `weight`: the `weight` meta value this registry registers (any number >= 0), else
 *   `Weights.Passing` (Consul's own, an integer >= 1), else 1.
 * - `secure`: the `secure` meta value `'true'`.
 * - `id`: the service ID; when two nodes register the same ID (Consul defaults the ID to the
 *   name), the node name is appended so ids stay unique within the list.
 * - `healthy`: every check of the entry is passing (the query asks for passing ones only, so this
 *   holds unless the agent ignored `passing`).
 */

/** The meta key that carries an instance's weight. */
export const WEIGHT_META = 'weight';
/** The meta key that says an instance serves https. */
export const SECURE_META = 'secure';

interface Entry {
  Node?: { Node?: unknown; Address?: unknown };
  Service?: {
    ID?: unknown;
    Address?: unknown;
    Port?: unknown;
    Meta?: unknown;
    Weights?: { Passing?: unknown };
  };
  Checks?: Array<{ Status?: unknown }>;
}

/**
 * Builds the instance list of `serviceName` from a health answer. Change detection (the same
 * array and the same objects while nothing changed) is the shared instance cache's, in core.
 */
export function toInstances(serviceName: string, entries: unknown): ServiceInstance[] {
  if (!Array.isArray(entries)) {
    throw new TypeError(
      `expected a JSON array of health entries, got ${entries === null ? 'null' : typeof entries}`,
    );
  }
  const seenIds = new Map<string, number>();
  for (const raw of entries as Entry[]) {
    const id = typeof raw?.Service?.ID === 'string' ? raw.Service.ID : '';
    seenIds.set(id, (seenIds.get(id) ?? 0) + 1);
  }
  const next: ServiceInstance[] = [];
  for (const raw of entries as Entry[]) {
    const built = toInstance(serviceName, raw, seenIds);
    if (built) next.push(built);
  }
  return next;
}

function toInstance(
  serviceName: string,
  entry: Entry,
  seenIds: Map<string, number>,
): ServiceInstance | undefined {
  const service = entry?.Service;
  if (!service || typeof service.ID !== 'string' || typeof service.Port !== 'number') return undefined;
  const address =
    typeof service.Address === 'string' && service.Address !== '' ? service.Address : entry.Node?.Address;
  if (
    typeof address !== 'string' ||
    address === '' ||
    !Number.isInteger(service.Port) ||
    service.Port < 1 ||
    service.Port > 65535
  ) {
    return undefined;
  }
  const metadata: Record<string, string> = {};
  if (service.Meta && typeof service.Meta === 'object') {
    for (const [k, v] of Object.entries(service.Meta)) if (typeof v === 'string') metadata[k] = v;
  }
  const node = typeof entry.Node?.Node === 'string' ? entry.Node.Node : '';
  const id = (seenIds.get(service.ID) ?? 0) > 1 ? `${service.ID}@${node}` : service.ID;
  const instance: ServiceInstance = {
    id,
    serviceName,
    host: address,
    port: service.Port,
    weight: weightOf(metadata, service.Weights?.Passing),
    healthy: (entry.Checks ?? []).every((c) => c?.Status === 'passing'),
    ...(metadata[SECURE_META] === 'true' ? { secure: true } : {}),
    metadata: Object.freeze(metadata),
  };
  return Object.freeze(instance);
}

function weightOf(metadata: Record<string, string>, passing: unknown): number {
  const fromMeta = metadata[WEIGHT_META];
  if (fromMeta !== undefined && fromMeta.trim() !== '') {
    const value = Number(fromMeta);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  return typeof passing === 'number' && Number.isFinite(passing) && passing >= 0 ? passing : 1;
}
