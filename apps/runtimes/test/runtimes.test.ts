import { describe, expect, it } from 'vitest';
import { NO_CODE_CACHE, runtimesIn } from '../src/runtimes.js';

/*
 * How each row starts its runtime. Deno's V8 code cache must stay off: with it, Deno 2.9.6 ran a
 * rebuilt CommonJS file of the same length as the code cached from the previous build (README).
 */

describe('the matrix rows', () => {
  const rows = runtimesIn('/opt/runtimes/bin');

  it('start both Deno rows without the code cache, before the script and its URL', () => {
    const deno = rows.filter((row) => row.command.endsWith('/deno'));
    expect(deno.map((row) => row.id)).toEqual(['deno', 'deno-plain']);
    for (const row of deno) {
      const args = row.args('/x/entry.js', 'http://127.0.0.1:1');
      expect(args[0]).toBe('run');
      expect(args).toContain(NO_CODE_CACHE);
      expect(args.indexOf(NO_CODE_CACHE)).toBeLessThan(args.indexOf('/x/entry.js'));
      expect(args.slice(-2)).toEqual(['/x/entry.js', 'http://127.0.0.1:1']);
    }
  });

  it('have unique ids, and each names the command it runs', () => {
    const ids = rows.map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(['node22', 'node24', 'bun', 'deno', 'deno-plain', 'workerd']);
    for (const row of rows) expect(row.command.length).toBeGreaterThan(0);
  });
});
