/** A place to write text to: `process.stdout`, `process.stderr`, or any writable stream. */
export interface OutputStream {
  write(text: string | Uint8Array): unknown;
  /** Whether it is a terminal; the progress indicator only draws on one. */
  readonly isTTY?: boolean;
}

/** What a command reads from and writes to; `run` fills it from `process` unless given. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Variables for `${VAR}` in the YAML files and for `APP_PROFILE`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where `--config` is resolved from, and where `./config` is looked for. */
  cwd: string;
}

/** The real process's streams, environment and working directory. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
