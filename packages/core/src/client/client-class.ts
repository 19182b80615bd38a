import { InvalidRequestError } from '../errors/index.js';
import type { Client, Endpoints } from './call-types.js';
import {
  buildMethods,
  type ClientDefaults,
  type ClientTarget,
  checkTarget,
  planClient,
} from './create-client.js';

/** A class whose instances are clients of `E`: `new (target) => Client<E>`, ready to extend. */
export type ClientClass<E extends Endpoints> = new (target: ClientTarget) => Client<E>;

/**
 * The class style, for users coming from Feign: a base class declaring the endpoints, which a
 * class of your own extends (to add helper methods) and instantiates with the engine or manager.
 * Endpoints are instance methods, typed exactly as with `createClient`; no decorators needed.
 * The definition is checked here, once; `new` throws `InvalidRequestError` for a bad target or
 * for a subclass method that an endpoint of the same name would hide.
 *
 * @example
 * ```ts
 * class UserClient extends clientClass('user-service', {
 *   getUser: endpoint.get('/users/{id}', { response: User }),
 * }) {
 *   async userName(id: number): Promise<string> {
 *     return (await this.getUser({ path: { id } })).name;
 *   }
 * }
 * const users = new UserClient(manager);
 * ```
 */
export function clientClass<E extends Endpoints>(
  serviceName: string,
  endpoints: E,
  defaults?: ClientDefaults,
): ClientClass<E> {
  const plans = planClient(serviceName, endpoints, defaults);
  const names = plans.map((plan) => plan.name);
  class DeclaredClient {
    constructor(target: ClientTarget) {
      checkTarget(target);
      // Endpoint methods are own properties: a subclass method of the same name would never run.
      for (
        let proto = new.target.prototype;
        proto !== DeclaredClient.prototype;
        proto = Object.getPrototypeOf(proto)
      ) {
        const hidden = names.find((name) => Object.hasOwn(proto, name));
        if (hidden !== undefined) {
          throw new InvalidRequestError(
            `invalid client class for service '${serviceName}': method '${hidden}' of ${new.target.name} would be hidden by the endpoint of that name`,
          );
        }
      }
      Object.assign(this, buildMethods(target, plans));
    }
  }
  Object.defineProperty(DeclaredClient, 'name', { value: `${serviceName} client` });
  return DeclaredClient as unknown as ClientClass<E>;
}
