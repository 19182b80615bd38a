/** The exit codes of `service-caller`; scripts may rely on them. */
export const ExitCode = {
  /** The command did what was asked. */
  ok: 0,
  /** A call failed (error or non-2xx status), or discovery found nothing or could not answer. */
  failed: 1,
  /** Bad usage (unknown flag, bad value, missing argument) or a bad config. */
  usage: 2,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
