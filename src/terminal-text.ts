/**
 * Text that reaches a terminal or a log shows its control characters, never obeys them: a file name with a newline
 * would forge a line of output ("No problems in 1 repository."), and an escape sequence in a GitLab error body or
 * a file's content would retitle or clear the user's terminal. C0 and C1 controls, DEL, the Unicode line and
 * paragraph separators and the bidirectional overrides are written as `\uXXXX`.
 */
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

const escaped = (char: string): string => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** A value printed inside one line (a file name, a message, a repo id): every control character escaped. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, escaped);
}

/** A message of fleetlint's own, which may span lines: its newlines kept, every other control character escaped. */
export function terminalText(text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE, escaped);
}
