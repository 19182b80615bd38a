import { ConfigError } from '@service-caller/core';
import { type Document, isMap, isScalar, Lexer, type LineCounter, visit } from 'yaml';
import { MAX_FLOW_DEPTH } from './limits.js';

// Tokens the lexer emits that are not source text (see the `yaml` package's CST docs).
const CONTROL_TOKENS = new Set(['\x02', '\x18', '\x1f']);

/**
 * Refuses flow collections nested deeper than `MAX_FLOW_DEPTH`, before the parser sees them.
 * The lexer is linear and the scan stops at the first excess, so a file of a million `[` costs
 * microseconds instead of the parser's seconds. Brackets inside quoted or plain scalars are part
 * of the scalar's token and are not counted.
 */
export function checkFlowNesting(text: string, file: string): void {
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++depth > MAX_FLOW_DEPTH) {
        const { line, col } = position(text, offset);
        throw new ConfigError({
          file,
          keyPath: '',
          expected: `[...] and {...} nested at most ${MAX_FLOW_DEPTH} deep`,
          found: `deeper nesting at line ${line}, column ${col}`,
        });
      }
    } else if (token === ']' || token === '}') {
      depth = Math.max(0, depth - 1);
    }
    if (!CONTROL_TOKENS.has(token)) offset += token.length;
  }
}

/**
 * Refuses a map that repeats a key, in linear time. (The `yaml` package's own `uniqueKeys`
 * check compares each key with every earlier one, which takes minutes on a large map.)
 */
export function checkDuplicateKeys(document: Document.Parsed, lineCounter: LineCounter, file: string): void {
  visit(document, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        // Merge keys (`<<`) may repeat by design; complex keys are rare and left alone.
        if (!isScalar(key) || key.value === '<<') continue;
        // As map keys, `1` and `"1"` end up the same property, so they count as the same key.
        const id = key.value !== null && typeof key.value === 'object' ? key.source : String(key.value);
        if (seen.has(id)) {
          const { line, col } = lineCounter.linePos(key.range?.[0] ?? 0);
          throw new ConfigError({
            file,
            keyPath: '',
            expected: 'valid YAML',
            found: `a key that repeats an earlier key of its map at line ${line}, column ${col}`,
          });
        }
        seen.add(id);
      }
    },
  });
}

function position(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}
