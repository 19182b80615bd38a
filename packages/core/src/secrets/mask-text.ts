import { isSecretName, type SecretNameTest } from './secret-names.js';

/** What a secret value is shown as unless a caller says otherwise. */
export const SECRET_MASK = '***';

/** `?a=1&b=2` (or `;b=2`) pairs inside a URL, a path or an error message. */
const QUERY_PAIR = /([?&;])([^=&;#?\s]+)=([^&;#\s]*)/g;

/**
 * `scheme://user:password@host`: from `//` to the last `@` before white space, `?` or `#`. A `/`
 * may stand in between, so a password written with a raw `/` (or `@`) is hidden whole; a path
 * holding an `@` (`//host/@scope`) is hidden with it, which errs on the side of hiding.
 */
const USER_INFO = /(\/\/)[^?#\s]*@/g;

/**
 * `text` with the value of every `key=value` query pair whose key `isSecret` flags replaced by
 * `mask`, keeping the keys (`/x?color=blue&token=***`). A key is judged percent-decoded
 * (`pass%77ord` is `password`), and as written when its escape is malformed. Text without a `=`
 * comes back as it is, without a scan (the common URL without a query).
 *
 * @example
 * ```ts
 * maskQueryValues('/x?q=shoes&access_token=abc'); // '/x?q=shoes&access_token=***'
 * ```
 */
export function maskQueryValues(
  text: string,
  isSecret: SecretNameTest = isSecretName,
  mask = SECRET_MASK,
): string {
  if (!text.includes('=')) return text;
  return text.replace(QUERY_PAIR, (pair, separator: string, key: string) => {
    let name = key;
    try {
      name = decodeURIComponent(key);
    } catch {
      // A malformed escape: judge the key as written.
    }
    return isSecret(name) ? `${separator}${key}=${mask}` : pair;
  });
}

/**
 * `text` with the user info of every URL in it (`//user:password@`) replaced by `mask`
 * (`http://***@10.0.0.1:8848`). Text without an `@` comes back as it is, without a scan.
 *
 * @example
 * ```ts
 * maskUserInfo('http://bob:hunter2@10.0.0.1/nacos'); // 'http://***@10.0.0.1/nacos'
 * ```
 */
export function maskUserInfo(text: string, mask = SECRET_MASK): string {
  return text.includes('@') ? text.replace(USER_INFO, `$1${mask}@`) : text;
}
