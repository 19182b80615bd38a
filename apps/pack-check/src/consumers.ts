import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { z } from 'zod';

/** The Node versions a project is installed and run with. */
export const NODES = ['node22', 'node24'] as const;
export type NodeName = (typeof NODES)[number];

/**
 * How a consumer file is run. `compiled`: tsc's output (nodenext), as a project that builds with
 * tsc runs it. `stripped`: the `.ts` file itself, by Node's type stripping, as `node file.ts`
 * runs it. `run`: a JavaScript or shell file as it is.
 */
export const RUN_MODES = ['compiled', 'stripped', 'run'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** A run that must fail, and a text its stderr must hold (so it fails for the reason given). */
export interface ExpectedFailure {
  readonly mode: RunMode;
  readonly node: NodeName;
  readonly stderrIncludes: string;
}

/** One file of a project that is type-checked (TypeScript) and run. */
export interface Consumer {
  /** The file name, e.g. `readme-example.ts`. */
  readonly file: string;
  /** `ts-esm`: .ts / .mts; `ts-cjs`: .cts; `js`: .js / .mjs / .cjs; `sh`: a bash script. */
  readonly kind: 'ts-esm' | 'ts-cjs' | 'js' | 'sh';
  readonly modes: readonly RunMode[];
  readonly expectedFailures: readonly ExpectedFailure[];
  /** `<file>.stdout` beside it: the run's stdout must be exactly this (trailing newlines aside). */
  readonly expectedStdout?: string;
}

const projectJson = z.strictObject({
  /** What the project stands for, printed in the report. */
  description: z.string().min(1),
  /** The packages installed from their tarballs: `"all"`, or names without the scope (`"core"`). */
  packages: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]),
  /** More packages from the npm registry, name -> range; `typescript` is always installed. */
  dependencies: z.record(z.string(), z.string()).default({}),
  /** Merged over the base options of both type checks (nodenext and bundler). */
  compilerOptions: z.record(z.string(), z.unknown()).default({}),
  /** Options for every `node` of a run (through NODE_OPTIONS), e.g. `--conditions=source`. */
  nodeOptions: z.array(z.string()).default([]),
  /** Extra environment of every run. */
  env: z.record(z.string(), z.string()).default({}),
});

/** A folder of consumers with its `project.json`. */
export interface ProjectSpec extends z.infer<typeof projectJson> {
  readonly name: string;
  readonly dir: string;
  readonly consumers: readonly Consumer[];
}

const KINDS: Record<string, Consumer['kind']> = {
  '.ts': 'ts-esm',
  '.mts': 'ts-esm',
  '.cts': 'ts-cjs',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.sh': 'sh',
};

// A CommonJS TypeScript file runs only as tsc emits it: Node's type stripping keeps its `import`
// statements, which a CommonJS module cannot hold, and the `require()` form it could strip is
// one tsc cannot type.
const MODES: Record<Consumer['kind'], readonly RunMode[]> = {
  'ts-esm': ['compiled', 'stripped'],
  'ts-cjs': ['compiled'],
  js: ['run'],
  sh: ['run'],
};

const DIRECTIVE = /^\s*(?:\/\/|#)\s*@pack-check\b(.*)$/;
const TYPECHECK_ONLY = /^\s*typecheck-only\b/;
const FAILS = /^\s*fails\s+(\w+)\s+on\s+(\w+)\s*:\s*(\S.*)$/;

/**
 * The `@pack-check` lines of a consumer's text (`// @pack-check fails stripped on node22:
 * SyntaxError`): the runs that must fail, and why. `@pack-check typecheck-only` (see
 * {@link isTypecheckOnly}) is read apart. Anything else after `@pack-check` is an error naming the
 * file and line, never ignored.
 */
export function parseDirectives(text: string, file: string, modes: readonly RunMode[]): ExpectedFailure[] {
  const failures: ExpectedFailure[] = [];
  text.split('\n').forEach((line, index) => {
    const directive = DIRECTIVE.exec(line);
    if (directive === null) return;
    const where = `${file}:${index + 1}`;
    if (TYPECHECK_ONLY.test(directive[1] as string)) return;
    const fails = FAILS.exec(directive[1] as string);
    if (fails === null) {
      throw new Error(
        `${where}: expected "@pack-check fails <mode> on <node>: <text in stderr>", found "${line.trim()}"`,
      );
    }
    const [, mode, node, stderrIncludes] = fails as unknown as [string, string, string, string];
    if (!modes.includes(mode as RunMode)) {
      throw new Error(`${where}: mode '${mode}' is not one of this file's runs (${modes.join(', ')})`);
    }
    if (!NODES.includes(node as NodeName))
      throw new Error(`${where}: node '${node}' is not one of ${NODES.join(', ')}`);
    failures.push({ mode: mode as RunMode, node: node as NodeName, stderrIncludes: stderrIncludes.trim() });
  });
  return failures;
}

/**
 * Whether a consumer says `// @pack-check typecheck-only (why)`: type-checked, never run (a
 * README fragment that needs a server the harness does not start, or names a value it declares).
 */
export function isTypecheckOnly(text: string): boolean {
  return text.split('\n').some((line) => {
    const directive = DIRECTIVE.exec(line);
    return directive !== null && TYPECHECK_ONLY.test(directive[1] as string);
  });
}

/** Reads a project folder: its `project.json` and its consumer files (top-level, by extension). */
export function readProject(dir: string): ProjectSpec {
  const file = join(dir, 'project.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  const parsed = projectJson.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`${file}: ${issues.join('; ')}`);
  }
  const consumers = readdirSync(dir, { withFileTypes: true })
    .filter(
      (entry) => entry.isFile() && KINDS[extname(entry.name)] !== undefined && !entry.name.endsWith('.d.ts'),
    )
    .map((entry): Consumer => {
      const kind = KINDS[extname(entry.name)] as Consumer['kind'];
      const path = join(dir, entry.name);
      const text = readFileSync(path, 'utf8');
      const modes = isTypecheckOnly(text) ? [] : MODES[kind];
      const stdoutFile = `${path}.stdout`;
      return {
        file: entry.name,
        kind,
        modes,
        expectedFailures: parseDirectives(text, path, modes),
        ...(existsSync(stdoutFile) ? { expectedStdout: readFileSync(stdoutFile, 'utf8') } : {}),
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
  if (consumers.length === 0) throw new Error(`${dir}: no consumer files (.ts .mts .cts .js .mjs .cjs .sh)`);
  return { ...parsed.data, name: basename(dir), dir, consumers };
}

/** `dir` itself when it holds a project.json, else each of its subfolders that does. */
export function readProjects(dir: string): ProjectSpec[] {
  if (existsSync(join(dir, 'project.json'))) return [readProject(dir)];
  const projects = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'project.json')))
    .map((entry) => readProject(join(dir, entry.name)));
  if (projects.length === 0) throw new Error(`${dir}: no project.json in it or in its subfolders`);
  return projects;
}
