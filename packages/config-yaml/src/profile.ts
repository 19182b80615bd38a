import { ConfigError } from '@service-caller/core';
import { describeValue } from './describe-value.js';
import type { Env } from './expand.js';
import { expandOne } from './expand-values.js';

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Where the profile came from, for messages. */
export type ProfileOrigin =
  | 'the profile option'
  | 'APP_PROFILE'
  | 'SPRING_PROFILES_ACTIVE'
  | 'the profile key';

/**
 * The profile, highest first as in the Python library: the option (`''` meaning none), then
 * `APP_PROFILE`, then `SPRING_PROFILES_ACTIVE`, then the top-level `profile` key of
 * `application.yaml` (after `${}` expansion). A variable set to `''` counts as unset.
 *
 * @throws ConfigError for a name that could not be part of a file name.
 */
export function pickProfile(
  option: string | undefined,
  env: Env,
  base: Record<string, unknown>,
  files: { options: string; env: string; base: string },
): { profile: string | undefined; origin: ProfileOrigin | undefined } {
  let value: unknown;
  let origin: ProfileOrigin | undefined;
  let file: string;
  if (option !== undefined) {
    [value, origin, file] = [option, 'the profile option', files.options];
  } else if (env.APP_PROFILE !== undefined && env.APP_PROFILE !== '') {
    [value, origin, file] = [env.APP_PROFILE, 'APP_PROFILE', files.env];
  } else if (env.SPRING_PROFILES_ACTIVE !== undefined && env.SPRING_PROFILES_ACTIVE !== '') {
    [value, origin, file] = [env.SPRING_PROFILES_ACTIVE, 'SPRING_PROFILES_ACTIVE', files.env];
  } else {
    const raw = Object.hasOwn(base, 'profile') ? base.profile : undefined;
    value = typeof raw === 'string' ? expandOne(raw, ['profile'], env, () => files.base) : raw;
    origin = value === undefined || value === null || value === '' ? undefined : 'the profile key';
    file = files.base;
  }
  if (value === undefined || value === null || value === '') return { profile: undefined, origin: undefined };
  if (typeof value !== 'string' || !PROFILE_NAME.test(value) || value.includes('..')) {
    const keyPath =
      origin === 'the profile option' ? 'profile' : origin === 'the profile key' ? 'profile' : origin!;
    throw new ConfigError({
      file,
      keyPath,
      expected: 'a profile name of letters, digits, ".", "_" and "-" (it becomes part of a file name)',
      found: describeValue(value),
      ...(typeof value === 'number'
        ? { hint: 'put the name in quotes' }
        : typeof value === 'string' && value.includes(',')
          ? { hint: 'one profile only; list further files in extend-profiles' }
          : {}),
    });
  }
  return { profile: value, origin };
}
