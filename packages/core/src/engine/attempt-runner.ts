import type { LoadBalancer, Pick } from '../contracts/balancer.js';
import type { ServiceDiscovery } from '../contracts/discovery.js';
import type { Logger } from '../contracts/logger.js';
import type { Transport } from '../contracts/transport.js';
import { HttpStatusError, ServiceUnavailableError } from '../errors/index.js';
import type { CallContext } from './context.js';
import { clearDeadline } from './deadline.js';
import type { NormalizedEngineOptions } from './engine-options.js';
import { lookupInstances } from './lookup.js';
import { originOf } from './origin.js';
import { disposeQuietly, readResult, statusError } from './read-response.js';
import { type BodySettledListener, TrackedResponse } from './tracked-response.js';

/**
 * Runs one attempt of a call: discovery (cached) -> balancer -> URL -> transport -> read. Each
 * attempt reports its outcome exactly once to the pick's `done()`. One runner per engine; the
 * call engine decides how many attempts a call makes.
 */
export class AttemptRunner implements BodySettledListener {
  readonly #discovery: ServiceDiscovery;
  readonly #transport: Transport;
  readonly #balancer: LoadBalancer;
  readonly #logger: Logger;

  constructor(options: NormalizedEngineOptions) {
    this.#discovery = options.discovery;
    this.#transport = options.transport;
    this.#balancer = options.loadBalancer;
    this.#logger = options.logger;
  }

  /** One attempt: look up, pick, send, read. Calls the pick's `done` exactly once. */
  async run(ctx: CallContext): Promise<void> {
    ctx.attempt++;
    ctx.response = undefined;
    ctx.responseTime = undefined;
    const instances =
      this.#discovery.getCachedInstances?.(ctx.serviceName) ?? (await lookupInstances(this.#discovery, ctx));
    if (instances.length === 0) {
      throw new ServiceUnavailableError(
        ctx.serviceName,
        `no instance is registered in the '${this.#discovery.name}' registry`,
      );
    }
    // The context has the `serviceName` a PickContext needs: no object per pick.
    const pick = this.#balancer.pick(instances, ctx);
    const instance = pick.instance;
    ctx.pick = pick;
    ctx.selectedInstance = instance;
    const protocol = ctx.protocolOverride ?? (instance.secure === true ? 'https' : 'http');
    ctx.protocol = protocol;
    const origin = originOf(protocol, instance);
    ctx.resolvedUrl = origin + ctx.requestTarget;
    // Only a balancer that wants the latency reported pays for the extra clock read.
    const started = pick.done === undefined ? 0 : performance.now();
    let failure: unknown;
    try {
      const response = await this.#transport.send({
        method: ctx.method,
        origin,
        path: ctx.requestTarget,
        headers: ctx.requestHeaders!,
        body: ctx.requestBody,
        signal: ctx.signal,
      });
      ctx.response = response;
      ctx.responseTime = performance.now();
      if (ctx.raw) {
        const tracked = new TrackedResponse(response, ctx, this);
        ctx.response = tracked;
        ctx.result = tracked;
        ctx.bodyPending = true;
        if (response.status >= 500 && pick.done !== undefined) {
          failure = statusError(ctx, response, undefined);
        }
        return;
      }
      failure = await readResult(ctx, response);
    } catch (error) {
      // Our deadline or the caller's abort explains whatever the transport made of it.
      const signal = ctx.signal;
      failure = signal?.aborted ? signal.reason : error;
      const response = ctx.response;
      if (response !== undefined && !response.bodyUsed) await disposeQuietly(response, this.#logger);
      throw failure;
    } finally {
      if (pick.done !== undefined) {
        // A 4xx is the caller's doing, not the instance's: reported as a success.
        const reported = failure instanceof HttpStatusError && failure.status < 500 ? undefined : failure;
        this.#done(pick, reported, performance.now() - started);
      }
    }
  }

  /** A raw call's body has been read, has failed or has been disposed. */
  bodySettled(ctx: CallContext, _error: unknown): void {
    ctx.bodyPending = false;
    clearDeadline(ctx);
  }

  #done(pick: Pick, error: unknown, latencyMs: number): void {
    try {
      pick.done!({ error, latencyMs });
    } catch (thrown) {
      this.#logger.error(`load balancer '${this.#balancer.name}' threw in done(); ignored`, {
        balancer: this.#balancer.name,
        error: thrown,
      });
    }
  }
}
