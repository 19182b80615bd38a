/** What a login returns: the token and how long the server keeps it valid. */
export interface LoginResult {
  readonly accessToken: string;
  /** Lifetime in seconds (`tokenTtl` of the login answer). */
  readonly tokenTtlSeconds: number;
}

/** The longest a token is used before renewal when the server names no lifetime: 5 minutes. */
const FALLBACK_TTL_MS = 300_000;
/** Renewal starts this long before expiry at most: long tokens are renewed 5 minutes early. */
const MAX_MARGIN_MS = 300_000;

/**
 * When a token obtained at `obtainedAt` with a lifetime of `ttlMs` is renewed: a fifth of its
 * lifetime before it expires, at most 5 minutes before, so a 5-hour token is renewed after
 * 4 h 55 min and a 10-second one after 8 s. A lifetime of 0 or less (unknown) counts as 5 minutes.
 */
export function renewalTime(obtainedAt: number, ttlMs: number): { renewAt: number; expiresAt: number } {
  const ttl = ttlMs > 0 && Number.isFinite(ttlMs) ? ttlMs : FALLBACK_TTL_MS;
  const margin = Math.min(ttl * 0.2, MAX_MARGIN_MS);
  return { renewAt: obtainedAt + ttl - margin, expiresAt: obtainedAt + ttl };
}

/**
 * The access token of one Nacos login, renewed before its lifetime ends. Concurrent callers share
 * one login. When a renewal fails while the old token is still within its lifetime, the old token
 * is used and the next call tries again; once it has expired the failure is the caller's.
 *
 * The token is a secret: it is never part of an error or a log line (see `secrets()`).
 */
export class AccessToken {
  readonly #login: () => Promise<LoginResult>;
  readonly #now: () => number;
  #token: string | undefined;
  #renewAt = 0;
  #expiresAt = 0;
  #pending: Promise<string> | undefined;

  /**
   * @param login Performs the login request.
   * @param now The clock, in milliseconds. @default Date.now
   */
  constructor(login: () => Promise<LoginResult>, now: () => number = Date.now) {
    this.#login = login;
    this.#now = now;
  }

  /** A valid token: the cached one, or a fresh login when it is due for renewal. */
  async get(): Promise<string> {
    const token = this.#token;
    const now = this.#now();
    if (token !== undefined && now < this.#renewAt) return token;
    const renewal = this.#renew();
    if (token === undefined || now >= this.#expiresAt) return renewal;
    // Still valid: a failed renewal is not this call's problem yet.
    return renewal.catch(() => token);
  }

  /** Drops `token` (the server refused it) so the next `get()` logs in again. */
  invalidate(token: string): void {
    if (this.#token === token) {
      this.#token = undefined;
      this.#renewAt = 0;
      this.#expiresAt = 0;
    }
  }

  /** The current token, if any, for redaction. */
  get current(): string | undefined {
    return this.#token;
  }

  /** When the current token is due for renewal (ms on the clock), or 0 without one. */
  get renewAt(): number {
    return this.#renewAt;
  }

  #renew(): Promise<string> {
    if (this.#pending !== undefined) return this.#pending;
    const pending = this.#login().then(
      (result) => {
        const obtainedAt = this.#now();
        const { renewAt, expiresAt } = renewalTime(obtainedAt, result.tokenTtlSeconds * 1000);
        this.#token = result.accessToken;
        this.#renewAt = renewAt;
        this.#expiresAt = expiresAt;
        this.#pending = undefined;
        return result.accessToken;
      },
      (error: unknown) => {
        this.#pending = undefined;
        throw error;
      },
    );
    this.#pending = pending;
    return pending;
  }
}
