import { ServiceCallerError } from '../errors/index.js';

/** The part of a declarative call a schema checked. */
export type ValidatedPart = 'path' | 'query' | 'body' | 'headers' | 'response';

/** One problem a schema found, as a `ValidationError` reports it. */
export interface ValidationIssue {
  /** Keys from the root of the part to the offending value; empty for the part itself. */
  readonly path: readonly PropertyKey[];
  /** What is wrong, in the schema library's words (with the part's string values masked). */
  readonly message: string;
}

/** Issues spelled out in the message; the rest are counted (all stay in `issues`). */
const ISSUES_IN_MESSAGE = 5;

/**
 * A declarative client's schema refused a value: a request part (`path`, `query`, `body`,
 * `headers`, checked before anything is sent) or the `response` (checked after it arrived).
 *
 * The issues carry paths and messages only, never the values: a rejected value may be a secret.
 */
export class ValidationError extends ServiceCallerError {
  readonly serviceName: string;
  /** The endpoint's name in the client, e.g. `getUser`. */
  readonly endpoint: string;
  readonly method: string;
  readonly part: ValidatedPart;
  readonly issues: readonly ValidationIssue[];

  constructor(
    fields: {
      serviceName: string;
      endpoint: string;
      method: string;
      part: ValidatedPart;
      issues: readonly ValidationIssue[];
    },
    options: { cause?: unknown } = {},
  ) {
    const { serviceName, endpoint, method, part, issues } = fields;
    const shown = issues
      .slice(0, ISSUES_IN_MESSAGE)
      .map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`)
      .join('; ');
    const more = issues.length > ISSUES_IN_MESSAGE ? ` (and ${issues.length - ISSUES_IN_MESSAGE} more)` : '';
    const consequence = part === 'response' ? '' : ' (nothing was sent)';
    super(`${method} ${serviceName}.${endpoint}: invalid ${part}${consequence}: ${shown}${more}`, {
      code: 'SC_ERR_VALIDATION',
      cause: options.cause,
    });
    this.serviceName = serviceName;
    this.endpoint = endpoint;
    this.method = method;
    this.part = part;
    this.issues = issues;
  }
}

/** Whether `e` is a `ValidationError`, also across duplicated copies of the package. */
export const isValidationError = (e: unknown): e is ValidationError =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'SC_ERR_VALIDATION';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `items[0].name`; `(root)` for the part itself. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'symbol') text += `[${key.toString()}]`;
    else if (IDENTIFIER.test(key)) text += text.length === 0 ? key : `.${key}`;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text;
}
