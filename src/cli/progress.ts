/**
 * Progress of a long audit on one updating stderr line: repos discovered, cloned, loaded, checked. Only for a
 * person watching a terminal: off when stderr is not a TTY, in CI (`CI` set, as GitLab, GitHub and most CI
 * systems do) and with --quiet, so logs and redirected output never carry carriage returns.
 */
import type { ProgressCounts, RunProgress } from '../run/progress.js';
import { oneLine, terminalText } from '../terminal-text.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export class Progress implements RunProgress {
  readonly enabled: boolean;
  readonly #stream: ProgressStream;
  readonly #counts: ProgressCounts = {};
  #phase = '';
  #lastDraw = 0;
  #shown = false;
  readonly #intervalMs: number;

  constructor(options: { stream?: ProgressStream; env?: Readonly<Record<string, string | undefined>>; quiet?: boolean; intervalMs?: number } = {}) {
    this.#stream = options.stream ?? process.stderr;
    const env = options.env ?? process.env;
    this.enabled = options.quiet !== true && this.#stream.isTTY === true && (env.CI ?? '') === '';
    this.#intervalMs = options.intervalMs ?? 100;
  }

  /** Updates counts (and optionally the phase name); redraws at most every `intervalMs`. */
  update(counts: ProgressCounts, phase?: string): void {
    Object.assign(this.#counts, counts);
    if (phase !== undefined) this.#phase = phase;
    if (!this.enabled) return;
    const now = performance.now();
    if (phase === undefined && now - this.#lastDraw < this.#intervalMs) return;
    this.#lastDraw = now;
    this.#draw();
  }

  /** Prints a line of its own above the progress line. */
  log(text: string): void {
    if (this.enabled && this.#shown) this.#stream.write('\r\u001b[2K');
    this.#stream.write(`${terminalText(text)}\n`);
    if (this.enabled && this.#shown) this.#draw();
  }

  /** Removes the progress line. */
  done(): void {
    if (this.enabled && this.#shown) this.#stream.write('\r\u001b[2K');
    this.#shown = false;
  }

  line(): string {
    const c = this.#counts;
    const parts: string[] = [];
    if (c.discovered !== undefined) parts.push(`discovered ${c.discovered}`);
    if (c.toClone !== undefined) parts.push(`cloned ${c.cloned ?? 0}/${c.toClone}`);
    if (c.loaded !== undefined) parts.push(`loaded ${c.loaded}`);
    if (c.toCheck !== undefined && c.toCheck > 0) parts.push(`checked ${Math.floor((100 * (c.checked ?? 0)) / c.toCheck)}%`);
    return `fleetlint${this.#phase === '' ? '' : ` ${this.#phase}`}: ${parts.join(' · ')}`;
  }

  #draw(): void {
    const width = Math.max(20, (this.#stream.columns ?? 100) - 1);
    const text = this.line();
    this.#stream.write(`\r\u001b[2K${oneLine(text.length > width ? text.slice(0, width) : text)}`);
    this.#shown = true;
  }
}
