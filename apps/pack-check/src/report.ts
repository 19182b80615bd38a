/** One line of the report: a check that passed or failed. */
export interface CheckResult {
  readonly ok: boolean;
  readonly label: string;
  /** Why it failed, or a note on how it passed (an expected failure, a time). */
  readonly note?: string;
}

/** Prints checks as they finish and keeps the counts for the closing line. */
export class Report {
  readonly #write: (text: string) => void;
  #passed = 0;
  #failed: string[] = [];

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  /** A heading for the checks that follow. */
  section(title: string): void {
    this.#write(`\n${title}\n`);
  }

  /** A line that is no check (what was installed, which versions). */
  info(text: string): void {
    this.#write(`  ${text}\n`);
  }

  add(result: CheckResult): void {
    if (result.ok) this.#passed += 1;
    else this.#failed.push(result.label);
    const note = result.note === undefined || result.note === '' ? '' : ` (${result.note.split('\n')[0]})`;
    this.#write(`  ${result.ok ? '✓' : '✗'} ${result.label}${result.ok ? note : ''}\n`);
    if (!result.ok && result.note !== undefined) {
      this.#write(`${result.note.replace(/^/gm, '      ')}\n`);
    }
  }

  get failed(): readonly string[] {
    return this.#failed;
  }

  /** The closing line: `pack-check: 41 passed, 0 failed`, and the failed checks' labels. */
  summary(): string {
    const list =
      this.#failed.length === 0 ? '' : `\nfailed:\n${this.#failed.map((label) => `- ${label}`).join('\n')}`;
    return `pack-check: ${this.#passed} passed, ${this.#failed.length} failed${list}\n`;
  }
}
