import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@service-caller/caller';
import { parse } from 'yaml';

/** The demo application's own settings: the `demo:` section next to service-caller's. */
export interface DemoSettings {
  /** The bearer token the AuthInterceptor sends and the greeters expect. */
  token: string;
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;

/**
 * Reads `demo.token` from `application.yaml`, overlaid by `application-{profile}.yaml` when that
 * file sets it, and expands `${NAME:default}` in it from `env`. The service-caller loader ignores
 * application keys like `demo:`, so an application reads its own section itself, as here.
 *
 * @throws ConfigError naming the file and `demo.token` when the token is missing or empty.
 */
export async function loadDemoSettings(
  dir: string,
  profile: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<DemoSettings> {
  const files = [join(dir, 'application.yaml')];
  if (profile !== '') files.push(join(dir, `application-${profile}.yaml`));
  let raw: unknown;
  let source = files[0]!;
  for (const file of files) {
    const section = demoSection(parse(await readFile(file, 'utf8')));
    if (section?.token !== undefined) {
      raw = section.token;
      source = file;
    }
  }
  const token = typeof raw === 'string' ? expand(raw, env) : raw;
  if (typeof token !== 'string' || token === '') {
    throw new ConfigError({
      file: source,
      keyPath: 'demo.token',
      expected: 'a non-empty token (set it, or DEMO_TOKEN when the file uses its placeholder)',
      found: token === '' ? 'an empty string' : typeof token,
    });
  }
  return { token };
}

function demoSection(document: unknown): { token?: unknown } | undefined {
  if (typeof document !== 'object' || document === null) return undefined;
  const section = (document as Record<string, unknown>).demo;
  return typeof section === 'object' && section !== null ? (section as { token?: unknown }) : undefined;
}

function expand(value: string, env: Readonly<Record<string, string | undefined>>): string {
  return value.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
    const set = env[name];
    return set !== undefined && set !== '' ? set : (fallback ?? '');
  });
}
