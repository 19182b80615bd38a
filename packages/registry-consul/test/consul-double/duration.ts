/**
 * Go `time.Duration` strings, as Consul reads and writes them (`"10s"`, `"1m30s"`, `"300ms"`).
 * Consul's JSON bodies carry `TTL`, `Interval`, `Timeout` and `DeregisterCriticalServiceAfter`
 * in this form, and the `wait` query parameter of blocking queries too.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)/y;

/** Parses a Go duration into milliseconds, or returns `undefined` when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text.length === 0) return undefined;
  let sign = 1;
  let at = 0;
  if (text[0] === '-' || text[0] === '+') {
    sign = text[0] === '-' ? -1 : 1;
    at = 1;
  }
  let total = 0;
  let parts = 0;
  while (at < text.length) {
    PART.lastIndex = at;
    const match = PART.exec(text);
    if (!match || match[1] === '' || match[1] === '.') return undefined;
    total += Number(match[1]) * UNIT_MS[match[2] as string]!;
    at = PART.lastIndex;
    parts++;
  }
  return parts > 0 ? sign * total : undefined;
}

/** Formats milliseconds the way Go's `Duration.String()` does (`1m0s`, `1.5s`, `300ms`, `0s`). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const negative = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) {
    out = `${trim(rest)}ms`;
  } else {
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = `${trim(rest / 1000)}s`;
    out = hours > 0 ? `${hours}h${minutes}m${seconds}` : minutes > 0 ? `${minutes}m${seconds}` : seconds;
  }
  return negative ? `-${out}` : out;
}

function trim(value: number): string {
  return String(Number(value.toFixed(6)));
}
