/*
 * The Standard Schema v1 interface (https://standardschema.dev), declared here rather than
 * imported: core depends on nothing but Node's standard library, and the spec is meant to be
 * copied. Only its shape matters: any schema of zod (>= 3.24), valibot (>= 1), arktype (>= 2),
 * effect Schema, ... fits these types structurally.
 */

/** A schema of any library that implements Standard Schema v1. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The library-neutral surface every Standard Schema exposes. */
  readonly '~standard': StandardSchemaProps<Input, Output>;
}

/** What a Standard Schema exposes under `~standard`. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  /** The version of the standard: 1. */
  readonly version: 1;
  /** The library that made the schema (`zod`, `valibot`, `arktype`, ...). */
  readonly vendor: string;
  /** Validates an unknown value; synchronous or, for schemas with async checks, a promise. */
  readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  /** Carries the schema's input and output types; type-level only, never read at runtime. */
  readonly types?: StandardTypes<Input, Output> | undefined;
}

/** The outcome of `validate`: the (possibly transformed) value, or the issues. */
export type StandardResult<Output> = StandardSuccessResult<Output> | StandardFailureResult;

/** A successful validation. */
export interface StandardSuccessResult<Output> {
  /** The validated value, after any transformation the schema applies. */
  readonly value: Output;
  /** Absent on success. */
  readonly issues?: undefined;
}

/** A failed validation. */
export interface StandardFailureResult {
  /** At least one issue. */
  readonly issues: ReadonlyArray<StandardIssue>;
}

/** One problem found by a schema. */
export interface StandardIssue {
  /** What is wrong, in the library's words. */
  readonly message: string;
  /** Where: keys from the root of the value, each a key or an object holding one. */
  readonly path?: ReadonlyArray<PropertyKey | StandardPathSegment> | undefined;
}

/** A path segment given as an object. */
export interface StandardPathSegment {
  readonly key: PropertyKey;
}

/** The input and output types of a schema. */
export interface StandardTypes<Input = unknown, Output = Input> {
  readonly input: Input;
  readonly output: Output;
}

/** The type a schema accepts. */
export type StandardInput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['input'];

/** The type a schema produces. */
export type StandardOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];
