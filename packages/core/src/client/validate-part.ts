import type { EndpointSite } from './endpoint-site.js';
import type { StandardIssue, StandardResult, StandardSchemaV1 } from './standard-schema.js';
import { type ValidatedPart, ValidationError, type ValidationIssue } from './validation-error.js';

/**
 * Runs `schema` on one part of a call and returns the validated (possibly transformed) value,
 * synchronously when the schema answers synchronously, which the usual schemas do. A refusal,
 * or a schema that throws, becomes a `ValidationError` naming the endpoint and the part.
 */
export function validatePart(
  schema: StandardSchemaV1,
  value: unknown,
  site: EndpointSite,
  part: ValidatedPart,
): unknown {
  let result: StandardResult<unknown> | Promise<StandardResult<unknown>>;
  try {
    result = schema['~standard'].validate(value);
  } catch (error) {
    throw schemaThrew(error, site, part);
  }
  if (isThenable(result)) {
    return result.then(
      (settled) => settle(settled, value, site, part),
      (error: unknown) => {
        throw schemaThrew(error, site, part);
      },
    );
  }
  return settle(result, value, site, part);
}

/** Whether a value is a promise (or any thenable), the one way to tell an async result. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

function settle(
  result: StandardResult<unknown>,
  value: unknown,
  site: EndpointSite,
  part: ValidatedPart,
): unknown {
  if (typeof result !== 'object' || result === null) {
    throw validationError(site, part, [{ path: [], message: 'the schema returned no result object' }]);
  }
  if (result.issues === undefined) return result.value;
  const secrets = stringsIn(value);
  const issues = result.issues.map((issue) => normalizeIssue(issue, secrets));
  throw validationError(site, part, issues.length === 0 ? [{ path: [], message: 'refused' }] : issues);
}

function validationError(
  site: EndpointSite,
  part: ValidatedPart,
  issues: ValidationIssue[],
  cause?: unknown,
): ValidationError {
  return new ValidationError(
    { serviceName: site.serviceName, endpoint: site.endpoint, method: site.method, part, issues },
    { cause },
  );
}

function schemaThrew(error: unknown, site: EndpointSite, part: ValidatedPart): ValidationError {
  // The thrown message may quote the value; its class and the cause are enough to debug.
  const name = error instanceof Error ? error.name : typeof error;
  return validationError(site, part, [{ path: [], message: `the schema threw (${name})` }], error);
}

function normalizeIssue(issue: StandardIssue, secrets: readonly string[]): ValidationIssue {
  const path: PropertyKey[] = [];
  for (const segment of issue.path ?? []) {
    path.push(typeof segment === 'object' && segment !== null ? segment.key : segment);
  }
  return { path, message: mask(String(issue.message), secrets) };
}

/** Strings shorter than this are left in messages: masking `1` or `id` would garble them. */
const MIN_MASKED_LENGTH = 4;
const MAX_MASKED_STRINGS = 100;
const MAX_DEPTH = 6;

/**
 * The string values inside a part (bounded): some libraries quote the received value in their
 * messages, and that value may be a token or a password.
 */
function stringsIn(value: unknown): string[] {
  const found: string[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (found.length >= MAX_MASKED_STRINGS) return;
    if (typeof node === 'string') {
      if (node.length >= MIN_MASKED_LENGTH) found.push(node);
      return;
    }
    if (typeof node !== 'object' || node === null || depth >= MAX_DEPTH) return;
    for (const key of Object.keys(node)) visit((node as Record<string, unknown>)[key], depth + 1);
  };
  visit(value, 0);
  // Longest first, so a secret containing another is masked whole.
  return found.sort((a, b) => b.length - a.length);
}

function mask(message: string, secrets: readonly string[]): string {
  let masked = message;
  for (const secret of secrets) {
    if (masked.includes(secret)) masked = masked.split(secret).join('***');
  }
  return masked;
}
