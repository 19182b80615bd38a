/**
 * One document of a config source: YAML text under a name. The loader parses and merges it; the
 * source only fetches it.
 */
export interface ConfigDocument {
  /**
   * What errors and warnings name as the file the values came from, e.g.
   * `nacos:dev/DEFAULT_GROUP/gateway.yaml`.
   */
  readonly name: string;
  /** The text, or `undefined` when the source holds no such document (nothing is merged). */
  readonly text: string | undefined;
}

/**
 * A remote source of configuration documents (the Nacos config centre, ...), merged by the loader
 * over the local files in the order `load` returns them, later over earlier.
 *
 * Written to be implemented by an adapter package: the loader never imports one, the facade hands
 * it a factory. A source holds connections, so it is closed once it is no longer needed.
 */
export interface ConfigSource {
  /** What the source is, for messages: `nacos`. */
  readonly kind: string;
  /**
   * The documents as they are now, in merge order. Rejects (a `ServiceCallerError`) when they
   * cannot be had; how long it tries first is the source's documented bound, never unbounded.
   */
  load(signal?: AbortSignal): Promise<readonly ConfigDocument[]>;
  /**
   * Watches the documents: `onChange` receives all of them, in merge order, each time one has
   * changed; `onError` receives a failure to watch (the source keeps trying). Returns a function
   * that stops watching. Absent when the source never changes.
   */
  watch?(
    onChange: (documents: readonly ConfigDocument[]) => void,
    onError: (error: unknown) => void,
  ): () => void;
  /** Stops watching and releases connections. Safe to call more than once. */
  close(): Promise<void>;
}
