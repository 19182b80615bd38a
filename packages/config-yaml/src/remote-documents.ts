import type { ConfigDocument } from '@service-caller/core';
import type { Decrypt } from './crypto/decryptor.js';
import { decryptValues } from './decrypt-values.js';
import type { SourceDocument } from './merge.js';
import type { ConfigWarning } from './normalize-keys.js';
import { parseYamlText } from './yaml-file.js';

/** Keys that steer loading: read from the local files only, so a source's copy is not acted on. */
const LOCAL_ONLY_KEYS = ['profile', 'extend-profiles', 'config-sources'] as const;

/**
 * Parses a config source's documents (YAML, with the guards of a local file), decrypts their
 * `{encrypted}` values, and warns about keys that only the local files can set. A document the
 * source does not hold (`text` undefined) or an empty one adds nothing.
 */
export function parseRemoteDocuments(
  documents: readonly ConfigDocument[],
  decrypt: Decrypt | undefined,
  warn: (warning: ConfigWarning) => void,
): SourceDocument[] {
  return documents.map(({ name, text }) => {
    const data =
      text === undefined
        ? {}
        : parseYamlText(text, name, (message) => warn({ message, file: name, keyPath: '' }));
    decryptValues(data, decrypt, () => name);
    for (const key of LOCAL_ONLY_KEYS) {
      if (Object.hasOwn(data, key)) {
        warn({
          message: `${name}: ${key} is read from the local files only; this copy from the config source is not acted on`,
          file: name,
          keyPath: key,
        });
      }
    }
    return { file: name, data };
  });
}
