/**
 * Per-service balancer state with a one-entry cache in front of the map.
 *
 * Callers usually call the same service many times in a row, so remembering the last name turns
 * the common case into one string comparison; other names cost one `Map` lookup.
 */
export class ServiceStates<S> {
  readonly #byName = new Map<string, S>();
  readonly #create: () => S;
  #lastName: string | undefined;
  #last: S | undefined;

  constructor(create: () => S) {
    this.#create = create;
  }

  /** The state of `serviceName`, created on first use. */
  get(serviceName: string): S {
    if (serviceName === this.#lastName) return this.#last as S;
    let state = this.#byName.get(serviceName);
    if (state === undefined) {
      state = this.#create();
      this.#byName.set(serviceName, state);
    }
    this.#lastName = serviceName;
    this.#last = state;
    return state;
  }
}
