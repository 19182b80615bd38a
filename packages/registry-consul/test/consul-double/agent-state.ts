import { randomUUID } from 'node:crypto';
import { formatGoDuration } from './duration.js';
import { runHttpCheck } from './http-check.js';

/**
 * What one Consul agent (a single-node cluster) knows: its services, their checks, and the raft
 * index that blocking queries wait on. Written from Consul's HTTP API documentation:
 * - a check starts `critical` unless the definition sets `Status`; a re-registered check keeps
 *   the status it had;
 * - a TTL check turns `critical` with output `TTL expired` when no pass/warn/fail/update arrives
 *   within its TTL; each update resets the TTL clock;
 * - an HTTP check GETs its URL every `Interval`: 2xx -> passing, 429 -> warning, else critical;
 * - a service whose check stayed critical longer than `DeregisterCriticalServiceAfter` (at least
 *   the documented minimum of one minute, scaled for tests) is deregistered by a reaper that runs
 *   periodically (every 30 s in Consul);
 * - every write that changes what a query returns raises the index; an update that changes
 *   neither status nor output does not.
 */

export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface ServiceRecord {
  readonly id: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly address: string;
  readonly port: number;
  readonly meta: Readonly<Record<string, string>>;
  readonly weights: { readonly Passing: number; readonly Warning: number };
  readonly enableTagOverride: boolean;
  readonly namespace: string;
  readonly partition: string;
  readonly createIndex: number;
  modifyIndex: number;
}

export interface CheckDefinition {
  readonly checkId: string;
  readonly name: string;
  readonly notes: string;
  readonly initialStatus?: CheckStatus;
  readonly ttlMs?: number;
  readonly http?: string;
  readonly method?: string;
  readonly header?: Readonly<Record<string, readonly string[]>>;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly deregisterCriticalAfterMs?: number;
}

export interface CheckRecord {
  readonly definition: CheckDefinition;
  readonly serviceKey: string;
  status: CheckStatus;
  output: string;
  /** `Date.now()` when the check last turned critical; `undefined` while it is not critical. */
  criticalSince: number | undefined;
  readonly createIndex: number;
  modifyIndex: number;
  timer: NodeJS.Timeout | undefined;
}

export interface AgentStateOptions {
  readonly datacenter: string;
  readonly nodeName: string;
  readonly nodeAddress: string;
  /** Floor applied to `DeregisterCriticalServiceAfter`. Consul documents one minute. */
  readonly minDeregisterCriticalAfterMs: number;
  /** How often the reaper looks for services to deregister. Consul documents 30 seconds. */
  readonly reapIntervalMs: number;
}

/** One entry of `/v1/health/service/:service`, shaped as the documentation's sample response. */
export type HealthEntry = Record<string, unknown>;

interface Waiter {
  readonly queryKey: string;
  readonly index: number;
  readonly wake: () => void;
}

export class AgentState {
  readonly nodeId = randomUUID();
  private index = 10;
  /** Index of the last write to the service table; what a query for an unknown name reports. */
  private tableIndex = 10;
  private readonly nameIndex = new Map<string, number>();
  private readonly services = new Map<string, ServiceRecord>();
  private readonly checks = new Map<string, CheckRecord>();
  private readonly waiters = new Set<Waiter>();
  private readonly reaper: NodeJS.Timeout;
  private closed = false;

  constructor(readonly options: AgentStateOptions) {
    this.reaper = setInterval(() => this.reap(), options.reapIntervalMs);
    this.reaper.unref();
  }

  /** Adds or replaces a service with its checks, as `PUT /agent/service/register` does. */
  registerService(
    service: Omit<ServiceRecord, 'createIndex' | 'modifyIndex'>,
    checks: readonly CheckDefinition[],
    replaceExistingChecks: boolean,
  ): void {
    const key = serviceKey(service);
    const previous = this.services.get(key);
    const index = this.bump();
    this.services.set(key, {
      ...service,
      createIndex: previous?.createIndex ?? index,
      modifyIndex: index,
    });
    if (replaceExistingChecks) {
      const keep = new Set(checks.map((c) => checkKey(service, c.checkId)));
      for (const [ck, check] of this.checks) {
        if (check.serviceKey === key && !keep.has(ck)) this.dropCheck(ck);
      }
    }
    for (const definition of checks) {
      const ck = checkKey(service, definition.checkId);
      const existing = this.checks.get(ck);
      if (existing?.timer) clearTimeout(existing.timer);
      const status = existing?.status ?? definition.initialStatus ?? 'critical';
      const record: CheckRecord = {
        definition,
        serviceKey: key,
        status,
        output: existing?.output ?? '',
        criticalSince: status === 'critical' ? (existing?.criticalSince ?? Date.now()) : undefined,
        createIndex: existing?.createIndex ?? index,
        modifyIndex: index,
        timer: undefined,
      };
      this.checks.set(ck, record);
      this.arm(ck, record);
    }
    this.tableIndex = index;
    if (previous && previous.name !== service.name) this.touch(previous, index);
    this.touch(service, index);
  }

  /** Removes a service and its checks; returns false when the id is unknown. */
  deregisterService(scope: Scope, id: string): boolean {
    const key = serviceKey({ ...scope, id });
    const service = this.services.get(key);
    if (!service) return false;
    for (const [ck, check] of this.checks) {
      if (check.serviceKey === key) this.dropCheck(ck);
    }
    this.services.delete(key);
    const index = this.bump();
    this.tableIndex = index;
    this.touch(service, index);
    return true;
  }

  service(scope: Scope, id: string): ServiceRecord | undefined {
    return this.services.get(serviceKey({ ...scope, id }));
  }

  check(scope: Scope, checkId: string): CheckRecord | undefined {
    return this.checks.get(checkKey(scope, checkId));
  }

  /** The service a check belongs to. */
  serviceOf(check: CheckRecord): ServiceRecord | undefined {
    return this.services.get(check.serviceKey);
  }

  /** Sets a TTL check's status and resets its TTL clock (`/agent/check/pass|warn|fail|update`). */
  updateTtl(scope: Scope, checkId: string, status: CheckStatus, output: string): void {
    const ck = checkKey(scope, checkId);
    const check = this.checks.get(ck);
    if (!check) return;
    this.setStatus(check, status, output);
    this.arm(ck, check);
  }

  /** All services, for tests that look inside the agent. */
  allServices(): ServiceRecord[] {
    return [...this.services.values()];
  }

  /** All checks, for tests that look inside the agent. */
  allChecks(): CheckRecord[] {
    return [...this.checks.values()];
  }

  /** The `X-Consul-Index` of a health query for `name` in `scope`. */
  queryIndex(scope: Scope, name: string): number {
    return this.nameIndex.get(nameKey(scope, name)) ?? this.tableIndex;
  }

  /** The entries of `/v1/health/service/:name` with the given filters. */
  healthService(
    scope: Scope,
    name: string,
    filters: { tags: readonly string[]; passing: boolean },
  ): HealthEntry[] {
    const entries: HealthEntry[] = [];
    const matching = [...this.services.values()]
      .filter(
        (s) =>
          s.name === name &&
          s.namespace === scope.namespace &&
          s.partition === scope.partition &&
          filters.tags.every((t) => s.tags.includes(t)),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const service of matching) {
      const key = serviceKey(service);
      const checks = [...this.checks.values()].filter((c) => c.serviceKey === key);
      if (filters.passing && !checks.every((c) => c.status === 'passing')) continue;
      entries.push({
        Node: this.nodeJson(),
        Service: serviceJson(service, this.options.datacenter),
        Checks: [
          ...checks.map((c) => checkJson(c, service, this.options.nodeName)),
          this.serfHealthJson(service),
        ],
      });
    }
    return entries;
  }

  /**
   * Resolves when the query index of `name` moves past `index`, or after `timeoutMs`: the blocking
   * half of a blocking query.
   */
  waitForChange(scope: Scope, name: string, index: number, timeoutMs: number): Promise<void> {
    const queryKey = nameKey(scope, name);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        queryKey,
        index,
        wake: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Forgets every service and check, as an agent restarted without persisted state does. */
  reset(): void {
    for (const ck of [...this.checks.keys()]) this.dropCheck(ck);
    const names = [...this.services.values()];
    this.services.clear();
    const index = this.bump();
    this.tableIndex = index;
    for (const service of names) this.touch(service, index);
  }

  /** Stops every timer and releases every blocked query. */
  close(): void {
    this.closed = true;
    clearInterval(this.reaper);
    for (const check of this.checks.values()) if (check.timer) clearTimeout(check.timer);
    this.releaseAll();
  }

  /** Releases every blocked query now (used when the server stops). */
  releaseAll(): void {
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  private arm(ck: string, check: CheckRecord): void {
    if (this.closed) return;
    if (check.timer) clearTimeout(check.timer);
    const def = check.definition;
    if (def.ttlMs !== undefined) {
      check.timer = setTimeout(() => {
        check.timer = undefined;
        if (this.checks.get(ck) === check) this.setStatus(check, 'critical', 'TTL expired');
      }, def.ttlMs);
    } else if (def.http !== undefined && def.intervalMs !== undefined) {
      // Consul staggers the first run of a check within its interval; the double runs it soon.
      const run = (delay: number) => {
        check.timer = setTimeout(async () => {
          const result = await runHttpCheck(
            def.http!,
            def.method ?? 'GET',
            def.header,
            def.timeoutMs ?? 10_000,
          );
          if (this.closed || this.checks.get(ck) !== check) return;
          this.setStatus(check, result.status, result.output);
          run(def.intervalMs!);
        }, delay);
      };
      run(Math.min(def.intervalMs, 50));
    }
  }

  private setStatus(check: CheckRecord, status: CheckStatus, output: string): void {
    if (check.status === status && check.output === output) return;
    if (status === 'critical' && check.status !== 'critical') check.criticalSince = Date.now();
    if (status !== 'critical') check.criticalSince = undefined;
    check.status = status;
    check.output = output;
    const index = this.bump();
    check.modifyIndex = index;
    const service = this.services.get(check.serviceKey);
    if (service) this.touch(service, index);
  }

  private reap(): void {
    const now = Date.now();
    for (const check of [...this.checks.values()]) {
      const after = check.definition.deregisterCriticalAfterMs;
      if (after === undefined || check.criticalSince === undefined) continue;
      if (now - check.criticalSince < Math.max(after, this.options.minDeregisterCriticalAfterMs)) continue;
      const service = this.services.get(check.serviceKey);
      if (service) this.deregisterService(service, service.id);
    }
  }

  private dropCheck(ck: string): void {
    const check = this.checks.get(ck);
    if (check?.timer) clearTimeout(check.timer);
    this.checks.delete(ck);
  }

  private bump(): number {
    this.index += 1;
    return this.index;
  }

  private touch(scope: Scope & { name: string }, index: number): void {
    const queryKey = nameKey(scope, scope.name);
    this.nameIndex.set(queryKey, index);
    for (const waiter of [...this.waiters]) {
      // A query on a name nobody registered reports the table index, so any table write wakes it.
      const current = this.nameIndex.get(waiter.queryKey) ?? this.tableIndex;
      if (current > waiter.index) waiter.wake();
    }
  }

  private nodeJson(): Record<string, unknown> {
    const { nodeName, nodeAddress, datacenter } = this.options;
    return {
      ID: this.nodeId,
      Node: nodeName,
      Address: nodeAddress,
      Datacenter: datacenter,
      TaggedAddresses: { lan: nodeAddress, lan_ipv4: nodeAddress, wan: nodeAddress, wan_ipv4: nodeAddress },
      Meta: { 'consul-network-segment': '' },
      CreateIndex: 5,
      ModifyIndex: 5,
    };
  }

  private serfHealthJson(service: ServiceRecord): Record<string, unknown> {
    return {
      Node: this.options.nodeName,
      CheckID: 'serfHealth',
      Name: 'Serf Health Status',
      Status: 'passing',
      Notes: '',
      Output: 'Agent alive and reachable',
      ServiceID: '',
      ServiceName: '',
      ServiceTags: [],
      Type: '',
      Interval: '',
      Timeout: '',
      ExposedPort: 0,
      Definition: {},
      Namespace: service.namespace,
      Partition: service.partition,
      CreateIndex: 5,
      ModifyIndex: 5,
    };
  }
}

/** Where a name or id lives (Consul Enterprise namespaces and admin partitions). */
export interface Scope {
  readonly namespace: string;
  readonly partition: string;
}

function serviceKey(s: Scope & { id: string }): string {
  return `${s.partition}/${s.namespace}/${s.id}`;
}

function checkKey(scope: Scope, checkId: string): string {
  return `${scope.partition}/${scope.namespace}/${checkId}`;
}

function nameKey(scope: Scope, name: string): string {
  return `${scope.partition}/${scope.namespace}/${name}`;
}

function serviceJson(s: ServiceRecord, datacenter: string): Record<string, unknown> {
  return {
    ID: s.id,
    Service: s.name,
    Tags: [...s.tags],
    Address: s.address,
    TaggedAddresses: s.address
      ? { lan_ipv4: { Address: s.address, Port: s.port }, wan_ipv4: { Address: s.address, Port: s.port } }
      : {},
    Meta: { ...s.meta },
    Port: s.port,
    Weights: { ...s.weights },
    EnableTagOverride: s.enableTagOverride,
    Proxy: { Mode: '', MeshGateway: {}, Expose: {} },
    Connect: {},
    PeerName: '',
    Datacenter: datacenter,
    Namespace: s.namespace,
    Partition: s.partition,
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
}

function checkJson(c: CheckRecord, s: ServiceRecord, node: string): Record<string, unknown> {
  const def = c.definition;
  return {
    Node: node,
    CheckID: def.checkId,
    Name: def.name,
    Status: c.status,
    Notes: def.notes,
    Output: c.output,
    ServiceID: s.id,
    ServiceName: s.name,
    ServiceTags: [...s.tags],
    Type: def.ttlMs !== undefined ? 'ttl' : 'http',
    Interval: def.intervalMs !== undefined ? formatGoDuration(def.intervalMs) : '',
    Timeout: def.timeoutMs !== undefined ? formatGoDuration(def.timeoutMs) : '',
    ExposedPort: 0,
    Definition: {},
    Namespace: s.namespace,
    Partition: s.partition,
    CreateIndex: c.createIndex,
    ModifyIndex: c.modifyIndex,
  };
}
