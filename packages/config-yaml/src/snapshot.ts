import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigDocument } from '@service-caller/core';

/** A snapshot of a config source's documents, saved after each successful fetch. */
interface Snapshot {
  readonly savedAt: string;
  readonly documents: readonly { name: string; text: string | null }[];
}

/**
 * The snapshot file of one source setup: the file name hashes what selects the documents
 * (namespace, group, data ids), so two applications sharing a folder never read each other's.
 */
export function snapshotFile(dir: string, identity: string): string {
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 16);
  return join(dir, `config-snapshot-${hash}.json`);
}

/** Writes the snapshot atomically (temp file, then rename), readable by this user only. */
export async function saveSnapshot(
  file: string,
  dir: string,
  documents: readonly ConfigDocument[],
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const snapshot: Snapshot = {
    savedAt: new Date().toISOString(),
    documents: documents.map(({ name, text }) => ({ name, text: text ?? null })),
  };
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(snapshot), { mode: 0o600 });
  await rename(temp, file);
}

/** The saved documents and when they were saved, or `undefined` when there is no usable snapshot. */
export async function readSnapshot(
  file: string,
): Promise<{ savedAt: string; documents: ConfigDocument[] } | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  const snapshot = parsed as Partial<Snapshot>;
  if (typeof snapshot?.savedAt !== 'string' || !Array.isArray(snapshot.documents)) return undefined;
  const documents: ConfigDocument[] = [];
  for (const item of snapshot.documents) {
    if (typeof item?.name !== 'string' || (typeof item.text !== 'string' && item.text !== null))
      return undefined;
    documents.push({ name: item.name, text: item.text ?? undefined });
  }
  return { savedAt: snapshot.savedAt, documents };
}
