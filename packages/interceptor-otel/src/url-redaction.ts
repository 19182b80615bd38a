import { maskQueryValues, type SecretNameTest, secretNames } from '@service-caller/core/adapter';

/** What a redacted query value is replaced with, as the semantic conventions spell it. */
export const REDACTED = 'REDACTED';

/**
 * Query keys whose values the HTTP semantic conventions say to redact in `url.full` by default
 * (signed-URL schemes of AWS, Azure and Google), matched case-sensitively as they ask. Most also
 * contain one of core's secret fragments; `sig` does not, and only spans hide it.
 */
const SEMCONV_SENSITIVE_KEYS: readonly string[] = [
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Goog-Signature',
];

/**
 * Masks the values of secret-looking query parameters, keeping their keys
 * (`/x?color=blue&sig=REDACTED`), in `url.full` and in status descriptions. The keys are judged by
 * core's `secretNames` (the fragments the caller's `LoggingInterceptor` and the admin page use,
 * so a key hidden in the logs is hidden in traces too), plus the semantic conventions' list and
 * the interceptor's `sensitiveQueryKeys`. One per interceptor.
 */
export class QueryRedactor {
  /** Whether the values of query key `key` are secret. */
  readonly isSensitive: SecretNameTest;

  /** @param extraKeys more keys to treat as secret, matched like core's fragments. */
  constructor(extraKeys: readonly string[] = []) {
    this.isSensitive = secretNames({ fragments: extraKeys, exactNames: SEMCONV_SENSITIVE_KEYS });
  }

  /**
   * `text` with the value of every secret `key=value` query pair replaced by `REDACTED`; text
   * without a `=` comes back as it is, without a scan (the common URL without a query).
   */
  redact(text: string): string {
    return maskQueryValues(text, this.isSensitive, REDACTED);
  }
}
