import type { PathSegment } from './key-path.js';
import { isPlainMap } from './merge.js';

/**
 * Calls `replace` for every string value of the tree, in maps and lists at any depth (keys are
 * not values), and writes back what it returns when that differs. The tree is the loader's own
 * merged copy, so writing into it touches nothing of the caller's.
 */
export function replaceStrings(
  root: Record<string, unknown>,
  replace: (value: string, path: readonly PathSegment[]) => string,
): void {
  const visit = (container: Record<string, unknown> | unknown[], path: PathSegment[]): void => {
    const keys: PathSegment[] = Array.isArray(container)
      ? container.map((_, i) => i)
      : Object.keys(container);
    for (const key of keys) {
      const value = (container as Record<PathSegment, unknown>)[key];
      const childPath = [...path, key];
      if (typeof value === 'string') {
        const next = replace(value, childPath);
        if (next !== value) (container as Record<PathSegment, unknown>)[key] = next;
      } else if (Array.isArray(value) || isPlainMap(value)) {
        visit(value, childPath);
      }
    }
  };
  visit(root, []);
}
