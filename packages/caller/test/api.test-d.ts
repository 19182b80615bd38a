import { describe, expectTypeOf, it } from 'vitest';
import {
  AuthInterceptor,
  type CallOptions,
  ClosedError,
  ConfigError,
  ConnectionError,
  createLoadBalancer,
  HttpStatusError,
  InvalidRequestError,
  type LoadBalancer,
  type LoadBalancerName,
  LoggingInterceptor,
  MetricsInterceptor,
  type MetricsSnapshot,
  type RawRequestOptions,
  type RawResponse,
  RegistryError,
  type RequestContext,
  type RequestOptions,
  random,
  roundRobin,
  type ServiceCallerError,
  type ServiceInterceptor,
  ServiceManager,
  type ServiceManagerOptions,
  type ServiceRegistry,
  ServiceUnavailableError,
  staticRegistry,
  TimeoutError,
  type TimeoutPhase,
  type Transport,
  weightedRandom,
  weightedRoundRobin,
} from '../src/index.js';

declare const manager: ServiceManager;

describe('ServiceManager', () => {
  it('is built by an async static create, not new', () => {
    expectTypeOf(ServiceManager.create({})).toEqualTypeOf<Promise<ServiceManager>>();
    expectTypeOf<Parameters<typeof ServiceManager.create<undefined>>[0]>().toEqualTypeOf<
      ServiceManagerOptions | undefined
    >();
    // @ts-expect-error the constructor is private
    new ServiceManager({});
  });

  it('takes the documented options', () => {
    expectTypeOf<ServiceManagerOptions>().toHaveProperty('configDir').toEqualTypeOf<string | undefined>();
    expectTypeOf<ServiceManagerOptions>().toHaveProperty('profile').toEqualTypeOf<string | undefined>();
    expectTypeOf<ServiceManagerOptions>()
      .toHaveProperty('registry')
      .toEqualTypeOf<ServiceRegistry | undefined>();
    expectTypeOf<ServiceManagerOptions>().toHaveProperty('transport').toEqualTypeOf<Transport | undefined>();
    expectTypeOf<ServiceManagerOptions>()
      .toHaveProperty('loadBalancer')
      .toEqualTypeOf<LoadBalancer | LoadBalancerName | undefined>();
    expectTypeOf<ServiceManagerOptions>()
      .toHaveProperty('interceptors')
      .toEqualTypeOf<readonly ServiceInterceptor[] | undefined>();
    expectTypeOf({
      config: { serviceCaller: { lbType: 'random' as const, readTimeout: 6 } },
    }).toMatchTypeOf<ServiceManagerOptions>();
    // Any name type-checks (packages register balancers by name); create() refuses an unknown one.
    expectTypeOf({
      config: { serviceCaller: { lbType: 'least_request' } },
    }).toMatchTypeOf<ServiceManagerOptions>();
    // @ts-expect-error lbType is a name, not a number
    expectTypeOf({ config: { serviceCaller: { lbType: 7 } } }).toMatchTypeOf<ServiceManagerOptions>();
  });

  it('has every method with (serviceName, path, options?) and a typed result', () => {
    for (const method of [
      manager.get,
      manager.post,
      manager.put,
      manager.delete,
      manager.patch,
      manager.head,
      manager.options,
    ]) {
      expectTypeOf(method).parameters.toEqualTypeOf<[string, string, (RequestOptions | undefined)?]>();
    }
    expectTypeOf(manager.get('svc', '/x')).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(manager.get<{ id: number }>('svc', '/x')).toEqualTypeOf<Promise<{ id: number }>>();
    expectTypeOf(manager.post<string>('svc', '/x', { json: { a: 1 } })).toEqualTypeOf<Promise<string>>();
    expectTypeOf(manager.request<number[]>('GET', 'svc', '/x')).toEqualTypeOf<Promise<number[]>>();
    expectTypeOf(manager.request)
      .parameter(0)
      .toEqualTypeOf<
        | 'GET'
        | 'POST'
        | 'PUT'
        | 'DELETE'
        | 'PATCH'
        | 'HEAD'
        | 'OPTIONS'
        | 'get'
        | 'post'
        | 'put'
        | 'delete'
        | 'patch'
        | 'head'
        | 'options'
      >();
    // @ts-expect-error not an HTTP method the engine sends
    manager.request('FETCH', 'svc', '/x');
  });

  it('has every raw variant resolving with a disposable RawResponse', () => {
    for (const method of [
      manager.rawGet,
      manager.rawPost,
      manager.rawPut,
      manager.rawDelete,
      manager.rawPatch,
      manager.rawHead,
      manager.rawOptions,
    ]) {
      expectTypeOf(method).parameters.toEqualTypeOf<[string, string, (RawRequestOptions | undefined)?]>();
      expectTypeOf(method).returns.toEqualTypeOf<Promise<RawResponse>>();
    }
    expectTypeOf(manager.rawRequest('get', 'svc', '/')).toEqualTypeOf<Promise<RawResponse>>();
    expectTypeOf<RawResponse>().toMatchTypeOf<AsyncDisposable>();
    expectTypeOf<RawResponse>().toHaveProperty('status').toEqualTypeOf<number>();
    expectTypeOf<RawResponse['json']>().returns.toEqualTypeOf<Promise<unknown>>();
    // @ts-expect-error a raw call never throws for a status, so it takes no throwHttpErrors
    manager.rawGet('svc', '/', { throwHttpErrors: false });
  });

  it('takes the seed options (headers, query, json, body, timeout, signal, protocol)', () => {
    expectTypeOf<RequestOptions>().toEqualTypeOf<CallOptions>();
    expectTypeOf<RequestOptions>()
      .toHaveProperty('headers')
      .toEqualTypeOf<Record<string, string> | undefined>();
    expectTypeOf<RequestOptions>().toHaveProperty('timeout').toEqualTypeOf<number | undefined>();
    expectTypeOf<RequestOptions>().toHaveProperty('signal').toEqualTypeOf<AbortSignal | undefined>();
    expectTypeOf<RequestOptions>().toHaveProperty('protocol').toEqualTypeOf<'http' | 'https' | undefined>();
    expectTypeOf<RequestOptions>().toHaveProperty('throwHttpErrors').toEqualTypeOf<boolean | undefined>();
    expectTypeOf<RequestOptions>().toHaveProperty('json').toEqualTypeOf<unknown>();
    expectTypeOf<RequestOptions>().toHaveProperty('query');
    expectTypeOf<RequestOptions>().toHaveProperty('body');
  });

  it('manages interceptors, with a read-only list', () => {
    expectTypeOf(manager.addInterceptor).parameter(0).toEqualTypeOf<ServiceInterceptor>();
    expectTypeOf(manager.addInterceptor).returns.toEqualTypeOf<boolean>();
    expectTypeOf(manager.removeInterceptor).parameters.toEqualTypeOf<[string]>();
    expectTypeOf(manager.clearInterceptors).returns.toEqualTypeOf<void>();
    expectTypeOf(manager.interceptors).toEqualTypeOf<readonly ServiceInterceptor[]>();
    // @ts-expect-error read-only
    manager.interceptors = [];
    // @ts-expect-error read-only array
    manager.interceptors.push(new LoggingInterceptor());
  });

  it('closes, disposes and exposes config and registry read-only', () => {
    expectTypeOf(manager.close).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(manager).toMatchTypeOf<AsyncDisposable>();
    expectTypeOf(manager.registry).toEqualTypeOf<ServiceRegistry>();
    expectTypeOf(manager.settings.serviceCaller.readTimeout).toEqualTypeOf<number>();
    expectTypeOf(manager.config).toEqualTypeOf<{ readonly [key: string]: unknown }>();
    // @ts-expect-error read-only
    manager.registry = staticRegistry();
  });
});

describe('interceptors', () => {
  it('are ServiceInterceptors with the documented options', () => {
    expectTypeOf(new LoggingInterceptor()).toMatchTypeOf<ServiceInterceptor>();
    expectTypeOf(new AuthInterceptor({ token: 't' })).toMatchTypeOf<ServiceInterceptor>();
    expectTypeOf(new MetricsInterceptor()).toMatchTypeOf<ServiceInterceptor>();
    new AuthInterceptor({ token: async () => 't', headerName: 'X-Key', prefix: '' });
    new LoggingInterceptor({ logRequest: false, logResponse: true, redact: ['x-tenant'], level: 'debug' });
    // @ts-expect-error the token is required
    new AuthInterceptor({});
    expectTypeOf(new MetricsInterceptor().snapshot()).toEqualTypeOf<MetricsSnapshot>();
    expectTypeOf<
      Parameters<NonNullable<ServiceInterceptor['beforeRequest']>>[0]
    >().toEqualTypeOf<RequestContext>();
  });
});

describe('errors and core re-exports', () => {
  it('are classes with a code, branched on by class', () => {
    for (const ErrorClass of [
      ConfigError,
      ServiceUnavailableError,
      HttpStatusError,
      TimeoutError,
      ConnectionError,
      RegistryError,
      InvalidRequestError,
      ClosedError,
    ]) {
      expectTypeOf(ErrorClass.prototype).toMatchTypeOf<ServiceCallerError>();
    }
    expectTypeOf<ServiceCallerError['code']>().toEqualTypeOf<string>();
    expectTypeOf<ServiceCallerError>().toMatchTypeOf<Error>();
    expectTypeOf<HttpStatusError['status']>().toEqualTypeOf<number>();
    expectTypeOf<TimeoutError['phase']>().toEqualTypeOf<TimeoutPhase>();
    expectTypeOf<TimeoutPhase>().toEqualTypeOf<'connect' | 'read' | 'attempt' | 'total'>();
  });

  it('re-exports the balancer factories and staticRegistry', () => {
    expectTypeOf(createLoadBalancer('random')).toEqualTypeOf<LoadBalancer>();
    expectTypeOf(roundRobin).returns.toMatchTypeOf<LoadBalancer>();
    expectTypeOf(random).returns.toMatchTypeOf<LoadBalancer>();
    expectTypeOf(weightedRandom).returns.toMatchTypeOf<LoadBalancer>();
    expectTypeOf(weightedRoundRobin).returns.toMatchTypeOf<LoadBalancer>();
    expectTypeOf(staticRegistry).returns.toMatchTypeOf<ServiceRegistry>();
  });
});
