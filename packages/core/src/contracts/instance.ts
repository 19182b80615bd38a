/**
 * One live instance of a named service, as a registry reports it.
 *
 * Registries build these once per change of the service's instance list and hand out the same
 * objects (and the same array) until the list changes again, so balancers can cache work keyed
 * on the array's identity.
 */
export interface ServiceInstance {
  /** Stable identity within the service; `${host}:${port}` unless the registry has its own id. */
  readonly id: string;
  /** The service this instance belongs to. */
  readonly serviceName: string;
  /** Host name or IP address the caller connects to. */
  readonly host: string;
  /** TCP port, 1-65535. */
  readonly port: number;
  /** Relative weight for the weighted balancers; finite and >= 0. @default 1 */
  readonly weight: number;
  /** Whether the registry considers the instance healthy; unhealthy ones are never picked. @default true */
  readonly healthy: boolean;
  /** Whether the instance serves over TLS; a call's own `protocol` option wins over this. */
  readonly secure?: boolean;
  /** Free-form key/value metadata from the registry (zone, version, ...). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** What a registrar needs to register an instance; omitted fields take the registry's defaults. */
export interface InstanceRegistration {
  readonly serviceName: string;
  readonly host: string;
  readonly port: number;
  readonly weight?: number;
  readonly secure?: boolean;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Registry-specific instance id; defaults to `${host}:${port}` or the registry's own scheme. */
  readonly id?: string;
}
