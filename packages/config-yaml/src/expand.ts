import { MAX_EXPANSION_DEPTH } from './limits.js';

/** Why a string could not be expanded; the loader turns it into a `ConfigError` for its key. */
export class ExpansionProblem extends Error {
  constructor(
    readonly expected: string,
    readonly found: string,
    /** The variable that was unset, when that is the problem. */
    readonly variable?: string,
  ) {
    super(`expected ${expected}, found ${found}`);
  }
}

/** Environment variables as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Replaces `${NAME}` and `${NAME:default}` in `input` with values from `env`.
 *
 * - The default applies when the variable is unset or empty; it may itself hold references
 *   (`${A:${B:x}}`), which are only looked up when the default is used.
 * - `$${...}` is the escape: it yields `${...}` literally, braces balanced.
 * - A `$` that does not start a reference stays as it is.
 * - Values taken from `env` are not expanded again.
 *
 * Throws `ExpansionProblem` for an unset variable without a default, or a malformed reference.
 */
export function expandString(input: string, env: Env): string {
  if (!input.includes('$')) return input;
  const [value] = expandFrom(input, 0, env, 0, true, false);
  return value;
}

/**
 * Expands from `start` to the end of `input`, or, inside a default, to the `}` that closes it.
 * Returns the text and the index where it stopped. With `evaluate` false it only finds the end
 * (a default that is not used must not fail on its own unset variables).
 */
function expandFrom(
  input: string,
  start: number,
  env: Env,
  depth: number,
  evaluate: boolean,
  inDefault: boolean,
): [string, number] {
  if (depth > MAX_EXPANSION_DEPTH) {
    throw new ExpansionProblem(
      `\${...} defaults nested at most ${MAX_EXPANSION_DEPTH} deep`,
      'deeper nesting',
    );
  }
  let out = '';
  let braces = 0;
  let i = start;
  while (i < input.length) {
    const c = input[i];
    if (inDefault && c === '}') {
      if (braces === 0) return [out, i];
      braces--;
    } else if (inDefault && c === '{') {
      braces++;
    } else if (c === '$' && input[i + 1] === '$' && input[i + 2] === '{') {
      const close = closingBrace(input, i + 2);
      out += input.slice(i + 1, close + 1);
      i = close + 1;
      continue;
    } else if (c === '$' && input[i + 1] === '{') {
      const [value, end] = reference(input, i, env, depth, evaluate);
      out += value;
      i = end;
      continue;
    }
    out += c;
    i++;
  }
  if (inDefault) throw unterminated(input, start);
  return [out, i];
}

/** Expands the reference starting at `input[at] === '$'`; returns its value and the index after it. */
function reference(input: string, at: number, env: Env, depth: number, evaluate: boolean): [string, number] {
  NAME.lastIndex = at + 2;
  const match = NAME.exec(input);
  if (match === null) {
    throw new ExpansionProblem(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the ${...} syntax itself
      'a variable name after ${ (letters, digits, _), as in ${NAME} or ${NAME:default}; write $${ for a literal ${',
      JSON.stringify(excerpt(input, at)),
    );
  }
  const name = match[0];
  const after = at + 2 + name.length;
  const value = env[name];
  if (input[after] === '}') {
    if (evaluate && value === undefined) {
      throw new ExpansionProblem(
        `the environment variable ${name} to be set, or a default as in \${${name}:default}`,
        `${name} is not set`,
        name,
      );
    }
    return [value ?? '', after + 1];
  }
  if (input[after] === ':') {
    const useDefault = value === undefined || value === '';
    const [fallback, end] = expandFrom(input, after + 1, env, depth + 1, evaluate && useDefault, true);
    return [useDefault ? fallback : value, end + 1];
  }
  if (after >= input.length) throw unterminated(input, at);
  throw new ExpansionProblem(`} or :default after \${${name}`, JSON.stringify(excerpt(input, at)));
}

/** The index of the `}` matching the `{` at `open`. */
function closingBrace(input: string, open: number): number {
  let depth = 0;
  for (let i = open; i < input.length; i++) {
    if (input[i] === '{') depth++;
    else if (input[i] === '}' && --depth === 0) return i;
  }
  throw unterminated(input, open);
}

function unterminated(input: string, at: number): ExpansionProblem {
  return new ExpansionProblem('a closing } for ${', JSON.stringify(excerpt(input, at)));
}

function excerpt(input: string, at: number): string {
  const text = input.slice(at, at + 30);
  return at + 30 < input.length ? `${text}...` : text;
}
