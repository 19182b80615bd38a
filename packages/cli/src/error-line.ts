import { isConfigError } from '@service-caller/caller';

/**
 * An error as one line: `Name: message (cause: ...)`. The cause is added when the message does
 * not already contain it; line breaks become spaces, so every failure is one line on stderr.
 * Our errors never carry secrets in their messages, so nothing is hidden here.
 */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return flatten(String(error));
  let text = `${error.name}: ${error.message}`;
  const cause = error.cause;
  const causeText =
    cause instanceof Error
      ? causeMessage(cause)
      : cause === undefined || isConfigError(error)
        ? ''
        : String(cause);
  if (causeText !== '' && !text.includes(causeText)) text += ` (cause: ${causeText})`;
  return flatten(text);
}

/** A cause's message, with its code when the message lacks it (`ECONNREFUSED`, `ENOTFOUND`). */
function causeMessage(cause: Error): string {
  const code = (cause as { code?: unknown }).code;
  const message = cause.message === '' ? cause.name : cause.message;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

function flatten(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
