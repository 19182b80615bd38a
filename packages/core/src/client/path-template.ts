import { InvalidRequestError } from '../errors/index.js';
import { describeKind } from '../options/describe-value.js';
import type { EndpointSite } from './endpoint-site.js';

/**
 * The names of the `{param}` placeholders of a path template, as a union of string literals:
 * `PathParamNames<'/users/{id}/posts/{postId}'>` is `'id' | 'postId'`.
 */
export type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParamNames<Rest>
  : never;

/** The values a path template needs: one string or number per placeholder. */
export type PathParams<P extends string> = { [K in PathParamNames<P>]: string | number };

/**
 * A path template split once, at definition time, so a call only concatenates: `literals` has
 * one more entry than `names`, and the path is `literals[0] + value(names[0]) + literals[1] ...`.
 */
export interface CompiledPath {
  readonly template: string;
  readonly literals: readonly string[];
  readonly names: readonly string[];
}

const PARAM_NAME = /^[A-Za-z_$][\w$-]*$/;

function invalidTemplate(template: string, problem: string): never {
  throw new InvalidRequestError(`invalid endpoint path template ${JSON.stringify(template)}: ${problem}`);
}

/**
 * Splits `template` into literals and placeholder names. Throws `InvalidRequestError` for what
 * could never make a valid path: not starting with exactly one '/', white space, control
 * characters, a backslash, '#', unbalanced braces or a malformed name.
 */
export function compilePath(template: unknown): CompiledPath {
  if (typeof template !== 'string') {
    throw new InvalidRequestError(
      `invalid endpoint path template: expected a string starting with '/', found ${typeof template}`,
    );
  }
  if (template.charCodeAt(0) !== 0x2f) {
    invalidTemplate(
      template,
      "it must start with '/'; discovery chooses the host, so absolute URLs are refused",
    );
  }
  if (template.charCodeAt(1) === 0x2f) invalidTemplate(template, "it must not start with '//'");
  const literals: string[] = [];
  const names: string[] = [];
  let literalStart = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f)
      invalidTemplate(template, 'white space and control characters must be encoded');
    if (c === 0x5c) invalidTemplate(template, 'a backslash must be encoded as %5C');
    if (c === 0x23) invalidTemplate(template, "'#' must be encoded as %23 (a fragment is never sent)");
    if (c === 0x7d) invalidTemplate(template, `'}' at ${i} closes no '{'`);
    if (c !== 0x7b) continue;
    const close = template.indexOf('}', i + 1);
    if (close < 0) invalidTemplate(template, `'{' at ${i} is never closed`);
    const name = template.slice(i + 1, close);
    if (!PARAM_NAME.test(name)) {
      invalidTemplate(
        template,
        `placeholder {${name}} must be a name of letters, digits, '_', '$' or '-', not starting with a digit or '-'`,
      );
    }
    literals.push(template.slice(literalStart, i));
    names.push(name);
    literalStart = close + 1;
    i = close;
  }
  literals.push(template.slice(literalStart));
  return { template, literals, names };
}

/**
 * The path for one call: each value percent-encoded on its own (`encodeURIComponent`), so a '/',
 * '?', '#' or '%' in a value stays inside its segment. A value that is empty, '.' or '..' is
 * refused: even encoded, it would change which resource the path names.
 */
export function expandPath(compiled: CompiledPath, params: unknown, site: EndpointSite): string {
  const names = compiled.names;
  const literals = compiled.literals;
  if (typeof params !== 'object' || params === null) {
    throw site.invalid(
      `path parameters ${names.map((n) => `'${n}'`).join(', ')} are required (args.path), found ${
        params === null ? 'null' : typeof params
      }`,
    );
  }
  let path = literals[0]!;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    path += encodeParam((params as Record<string, unknown>)[name], name, site) + literals[i + 1]!;
  }
  return path;
}

function encodeParam(value: unknown, name: string, site: EndpointSite): string {
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  } else {
    throw site.invalid(
      value === undefined
        ? `path parameter '${name}' is missing`
        : `path parameter '${name}' must be a string or a finite number, found ${describeKind(value)}`,
    );
  }
  if (text.length === 0 || text === '.' || text === '..') {
    throw site.invalid(
      `path parameter '${name}' must not be ${text.length === 0 ? 'empty' : `'${text}'`}: it would change which path is called`,
    );
  }
  try {
    return encodeURIComponent(text);
  } catch (error) {
    throw site.invalid(`path parameter '${name}' contains a lone UTF-16 surrogate`, error);
  }
}
