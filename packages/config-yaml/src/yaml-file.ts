import { constants, type FileHandle, open } from 'node:fs/promises';
import { ConfigError } from '@service-caller/core';
import { LineCounter, parseDocument } from 'yaml';
import { describeValue } from './describe-value.js';
import { MAX_ALIAS_COUNT, MAX_FILE_BYTES } from './limits.js';
import { isPlainMap } from './merge.js';
import { checkDuplicateKeys, checkFlowNesting } from './yaml-guards.js';

const MAX_MESSAGE = 120;

/**
 * Reads and parses one YAML config file into its top-level map (an empty file is an empty map).
 *
 * Guards, each a `ConfigError` naming the file: not a regular file (a FIFO would block the read
 * forever), larger than `MAX_FILE_BYTES` (checked before and while reading), not UTF-8, flow
 * collections nested too deep, a YAML syntax error or a repeated key (with line and column, never
 * the offending text, which may be a password), an alias bomb (refused by the `yaml` package's
 * alias counter before anything is expanded), and a top level that is not a map. Together they
 * keep the work linear in the (bounded) file size. A byte order mark and CRLF line ends are fine.
 */
export async function readYamlFile(
  file: string,
  warn: (message: string) => void,
): Promise<Record<string, unknown>> {
  return parseYamlText(await readText(file), file, warn);
}

/**
 * Parses YAML text that did not come from a file (a config centre's document) with the same
 * guards as {@link readYamlFile}; `file` is what errors name. Text over `MAX_FILE_BYTES` is refused.
 */
export function parseYamlText(
  text: string,
  file: string,
  warn: (message: string) => void,
): Record<string, unknown> {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) throw tooLarge(file, Buffer.byteLength(text));
  // A file's byte order mark is dropped by the decoder; text from elsewhere may still carry one.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  checkFlowNesting(text, file);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: false });
  const [error] = document.errors;
  if (error !== undefined) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new ConfigError({
      file,
      keyPath: '',
      expected: 'valid YAML',
      found: `${firstLine(error.message)} at line ${line}, column ${col}`,
    });
  }
  checkDuplicateKeys(document, lineCounter, file);
  for (const warning of document.warnings) {
    const { line, col } = lineCounter.linePos(warning.pos[0]);
    warn(`${file}: line ${line}, column ${col}: ${firstLine(warning.message)}`);
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const bomb = /excessive alias count/i.test(message);
    throw new ConfigError(
      {
        file,
        keyPath: '',
        expected: bomb
          ? `YAML aliases that expand to a bounded size (at most ${MAX_ALIAS_COUNT} alias uses)`
          : 'YAML whose aliases all point to an anchor defined before them',
        found: bomb ? 'aliases that multiply (a "billion laughs" document?)' : firstLine(message),
      },
      { cause },
    );
  }
  if (data === null || data === undefined) return {};
  if (!isPlainMap(data)) {
    throw new ConfigError({
      file,
      keyPath: '',
      expected: 'a map of settings (key: value lines) at the top level',
      found: describeValue(data),
    });
  }
  return data;
}

async function readText(file: string): Promise<string> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    throw new ConfigError(
      { file, keyPath: '', expected: 'a readable file', found: systemError(cause) },
      { cause },
    );
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new ConfigError({ file, keyPath: '', expected: 'a regular file', found: 'something else' });
    }
    if (stats.size > MAX_FILE_BYTES) throw tooLarge(file, stats.size);
    // Read at most one byte past the limit: the file may have grown since `stat`.
    const buffer = Buffer.alloc(Math.min(stats.size, MAX_FILE_BYTES) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_FILE_BYTES) throw tooLarge(file, length);
    try {
      // `fatal` refuses invalid UTF-8; the decoder drops a leading byte order mark.
      return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length));
    } catch (cause) {
      throw new ConfigError(
        { file, keyPath: '', expected: 'UTF-8 text', found: 'bytes that are not UTF-8' },
        { cause },
      );
    }
  } finally {
    await handle.close();
  }
}

function tooLarge(file: string, size: number): ConfigError {
  return new ConfigError({
    file,
    keyPath: '',
    expected: `a file of at most ${MAX_FILE_BYTES} bytes (1 MiB)`,
    found: size > MAX_FILE_BYTES + 1 ? `${size} bytes` : 'a larger file',
  });
}

function systemError(cause: unknown): string {
  const code = (cause as { code?: unknown })?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'a directory';
  return typeof code === 'string' ? code : 'an error while opening it';
}

/** The first line of a parser message, without the source excerpt some messages carry. */
function firstLine(message: string): string {
  const line = message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE)}...` : line;
}
