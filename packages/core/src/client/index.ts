export type {
  Client,
  EndpointArgs,
  EndpointCallSettings,
  EndpointMethod,
  EndpointResult,
  Endpoints,
} from './call-types.js';
export { type ClientClass, clientClass } from './client-class.js';
export { type ClientDefaults, type ClientTarget, createClient } from './create-client.js';
export type { EndpointDefaults } from './defaults.js';
export {
  type Endpoint,
  type EndpointBuilder,
  type EndpointBuilderFor,
  type EndpointSpec,
  endpoint,
  isEndpoint,
  type PartSpec,
  type TypeOnly,
  typed,
} from './endpoint.js';
export type { PathParamNames, PathParams } from './path-template.js';
export type {
  StandardFailureResult,
  StandardInput,
  StandardIssue,
  StandardOutput,
  StandardPathSegment,
  StandardResult,
  StandardSchemaProps,
  StandardSchemaV1,
  StandardSuccessResult,
  StandardTypes,
} from './standard-schema.js';
export {
  isValidationError,
  type ValidatedPart,
  ValidationError,
  type ValidationIssue,
} from './validation-error.js';
