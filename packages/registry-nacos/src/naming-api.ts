/** One instance as Nacos lists it (the fields every API version and the official client share). */
export interface NacosHost {
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
  readonly healthy: boolean;
  readonly enabled: boolean;
  readonly metadata: Readonly<Record<string, string>>;
  /** The instance's cluster, when the answer names it. */
  readonly clusterName?: string | undefined;
}

/** Everything Nacos needs to register, beat or deregister one instance. */
export interface InstanceSpec {
  readonly serviceName: string;
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly ephemeral: boolean;
}

/** What a heartbeat learned. */
export interface BeatOutcome {
  /** `unknown`: the server does not know the instance (it restarted): register it again. */
  readonly known: boolean;
  /** The interval the server asks for, in milliseconds, when it names one. */
  readonly intervalMs?: number | undefined;
}

/** Where a pushing protocol delivers the lists of one subscribed service. */
export interface HostSink {
  /** The full list the server pushed (or answered to the subscription), every instance. */
  update(hosts: readonly NacosHost[]): void;
  /** The subscription could not be made (it is retried with the connection). */
  fail(error: unknown): void;
}

/**
 * The naming operations the registry needs, one implementation per protocol: the 1.x/2.x Open
 * API, the 3.x client API, gRPC, and the official npm client. Namespace, group and cluster are fixed
 * per implementation. Every method rejects with a `RegistryError` (a `NacosUnreachableError` when
 * no server answers).
 */
export interface NamingApi {
  /** `v1`, `v3`, `nacos npm client`: for messages. */
  readonly protocol: string;
  register(spec: InstanceSpec): Promise<void>;
  deregister(spec: InstanceSpec): Promise<void>;
  /** Absent when the client keeps its instances alive by itself (the official client does). */
  readonly heartbeat?: ((spec: InstanceSpec) => Promise<BeatOutcome>) | undefined;
  /** Every instance of the service (in the configured cluster, if one is), healthy or not; none for an unknown service. */
  list(serviceName: string, signal?: AbortSignal): Promise<readonly NacosHost[]>;
  /**
   * Present when the server pushes lists (gRPC): subscribes to `serviceName` (again after each
   * reconnection) until `stop()`. Without it the registry polls `list`.
   */
  readonly subscribe?: ((serviceName: string, sink: HostSink) => { stop(): void }) | undefined;
  /**
   * The protocol that serves the calls, once known (`auto` detects it on first use): the
   * registry asks it before it chooses between polling and subscribing. Absent: this one.
   */
  readonly resolve?: (() => Promise<NamingApi>) | undefined;
  /**
   * HTTP clients with a server list: calls `listener` when a member that refused connections
   * answers again (a restarted member, which may answer before it knows every instance).
   */
  readonly onServerBack?: ((listener: () => void) => void) | undefined;
  /** gRPC: the server of the current connection (`host:grpcPort`), for tests and messages. */
  readonly connectedTo?: string | undefined;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Where instances live: fixed per registry. */
export interface NamingScope {
  readonly namespace: string;
  readonly group: string;
  /** The cluster registered instances join. */
  readonly cluster: string;
  /** The only cluster lists ask for; `undefined`: every cluster. */
  readonly listCluster: string | undefined;
}

/** Reads one host of a list answer; `undefined` for an entry without ip and port. */
export function readHost(value: unknown): NacosHost | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const host = value as Record<string, unknown>;
  const ip = host.ip;
  const port = Number(host.port);
  if (typeof ip !== 'string' || ip === '' || !Number.isInteger(port) || port < 1 || port > 65535)
    return undefined;
  const weight = host.weight === undefined ? 1 : Number(host.weight);
  // Nacos 1.x called health `valid`.
  const healthy = host.healthy ?? host.valid ?? true;
  const metadata: Record<string, string> = {};
  if (typeof host.metadata === 'object' && host.metadata !== null) {
    for (const [key, item] of Object.entries(host.metadata as Record<string, unknown>)) {
      if (item !== undefined && item !== null) metadata[key] = String(item);
    }
  }
  return {
    ip,
    port,
    weight: Number.isFinite(weight) ? weight : 0,
    healthy: healthy === true || healthy === 'true',
    enabled: host.enabled === undefined ? true : host.enabled === true || host.enabled === 'true',
    metadata,
    clusterName:
      typeof host.clusterName === 'string' && host.clusterName !== '' ? host.clusterName : undefined,
  };
}

/** The instance's query parameters shared by register, beat and deregister. */
export function instanceQuery(spec: InstanceSpec, scope: NamingScope): Record<string, string> {
  return {
    serviceName: spec.serviceName,
    groupName: scope.group,
    namespaceId: scope.namespace,
    clusterName: scope.cluster,
    ip: spec.ip,
    port: String(spec.port),
    ephemeral: String(spec.ephemeral),
  };
}

/** A registration's query (v1 register, v3 register and heartbeat): the instance, its weight, state and metadata. */
export function registrationQuery(spec: InstanceSpec, scope: NamingScope): Record<string, string> {
  return {
    ...instanceQuery(spec, scope),
    weight: String(spec.weight),
    enabled: 'true',
    healthy: 'true',
    metadata: JSON.stringify(spec.metadata),
  };
}

/** The entries of an instance list that read as hosts; malformed entries are skipped. */
export function readHosts(entries: readonly unknown[]): NacosHost[] {
  const hosts: NacosHost[] = [];
  for (const entry of entries) {
    const host = readHost(entry);
    if (host !== undefined) hosts.push(host);
  }
  return hosts;
}

/** `register 'users' 10.0.0.7:8080`, for errors. */
export function describeOp(verb: string, spec: InstanceSpec): string {
  return `${verb} '${spec.serviceName}' ${spec.ip.includes(':') ? `[${spec.ip}]` : spec.ip}:${spec.port}`;
}

/** The body as a JSON object, or `undefined` when it is not one. */
export function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
