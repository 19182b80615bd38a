import type { HttpMethod } from '../contracts/request.js';
import { InvalidRequestError } from '../errors/index.js';

/**
 * Where a declarative call happens: the service, the endpoint's name and its method, made once
 * per endpoint when the client is created, so errors can name all three without per-call work.
 */
export class EndpointSite {
  readonly serviceName: string;
  readonly endpoint: string;
  readonly method: HttpMethod;

  constructor(serviceName: string, endpoint: string, method: HttpMethod) {
    this.serviceName = serviceName;
    this.endpoint = endpoint;
    this.method = method;
  }

  /** An `InvalidRequestError` for this endpoint, worded like the engine's own. */
  invalid(problem: string, cause?: unknown): InvalidRequestError {
    return new InvalidRequestError(
      `invalid request ${this.method} to service '${this.serviceName}' (endpoint ${this.endpoint}): ${problem}`,
      cause === undefined ? {} : { cause },
    );
  }
}
