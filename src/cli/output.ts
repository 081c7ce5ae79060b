import { terminalText } from '../terminal-text.js';

/** One message on stderr: its control characters shown, not obeyed (a server's error body may carry escape sequences). */
export function stderr(text: string): void {
  process.stderr.write(`${terminalText(text)}\n`);
}
