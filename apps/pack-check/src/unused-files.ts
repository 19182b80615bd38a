import { posix } from 'node:path';
import type { EntryPoint } from './entry-points.js';

/** What following the entry points' imports through a tarball's files found. */
export interface FileGraph {
  /** Files no entry point reaches: shipped, but nothing loads them. */
  readonly unused: string[];
  /** Relative imports that name a file the tarball does not have (`dist/a.js -> ./b.js`). */
  readonly unresolved: string[];
}

/** Files a package ships for people, not for code: npm always packs them. */
const DOCUMENTS = /^(package\.json|readme(\.md)?|license(\.md|\.txt)?|changelog(\.md)?)$/i;

// `from './x'`, `import('./x')`, `import './x'`, `require('./x')`: relative specifiers only (a
// bare one is a dependency, not a file of this tarball). Built output, so no need for a parser:
// lines of doc comments (` * import ... from '../src/index.js'` in an example) are left out.
const COMMENT_LINE = /^\s*(\*|\/\/|\/\*)/;
const RELATIVE_SPECIFIER = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*(['"])(\.\.?\/[^'"\n]+)\1/g;
const REFERENCE_PATH = /\/\/\/\s*<reference\s+path=(['"])([^'"]+)\1/g;
const SOURCE_MAP = /\/\/# sourceMappingURL=(\S+)\s*$/m;

const DECLARATION = /\.d\.[cm]?ts$/;

/** The files `spec` may name from `from`: a declaration's `./x.js` is `./x.d.ts`, and so on. */
function candidates(from: string, spec: string): string[] {
  const base = posix.join(posix.dirname(from), spec);
  if (DECLARATION.test(from)) {
    const stem = base.replace(/\.([cm]?)js$/, '');
    const kind = /\.([cm]?)js$/.exec(base)?.[1] ?? '';
    return [`${stem}.d.${kind}ts`, base, `${base}.d.ts`, `${base}/index.d.ts`];
  }
  return [base, `${base}.js`, `${base}/index.js`];
}

/**
 * Follows `entries` through the relative imports, declaration references and source-map links of
 * the tarball's `files` (`read` gives a file's text), and reports what nothing reaches and what an
 * import names but the tarball lacks. Entry points that are missing themselves are the caller's
 * to report.
 */
export function fileGraph(
  entries: readonly EntryPoint[],
  files: readonly string[],
  read: (path: string) => string,
): FileGraph {
  const present = new Set(files);
  const reached = new Set<string>();
  const unresolved: string[] = [];
  const queue = entries.map((entry) => entry.path).filter((path) => present.has(path));
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (reached.has(file)) continue;
    reached.add(file);
    if (!/\.([cm]?js|d\.[cm]?ts)$/.test(file)) continue;
    const text = read(file);
    const code = text
      .split('\n')
      .filter((line) => !COMMENT_LINE.test(line))
      .join('\n');
    const specs = [...code.matchAll(RELATIVE_SPECIFIER), ...text.matchAll(REFERENCE_PATH)].map(
      (m) => m[2] as string,
    );
    for (const spec of specs) {
      const found = candidates(file, spec).find((candidate) => present.has(candidate));
      if (found === undefined) unresolved.push(`${file} -> ${spec}`);
      else queue.push(found);
    }
    const map = SOURCE_MAP.exec(text)?.[1];
    if (map !== undefined && !map.startsWith('data:')) {
      const path = posix.join(posix.dirname(file), map);
      if (present.has(path)) queue.push(path);
      else unresolved.push(`${file} -> ${map} (source map)`);
    }
  }
  const isDocument = (file: string) => !file.includes('/') && DOCUMENTS.test(file);
  const unused = files.filter((file) => !reached.has(file) && !isDocument(file));
  return { unused: unused.sort(), unresolved: unresolved.sort() };
}
