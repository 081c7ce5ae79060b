/** How far a long run is: what the CLI's progress line shows (src/cli/progress.ts draws it). */
export interface ProgressCounts {
  discovered?: number;
  cloned?: number;
  toClone?: number;
  loaded?: number;
  /** Repo-scope check evaluations done (run or reused) and expected. */
  checked?: number;
  toCheck?: number;
}

/** Told the counts as they change, and the name of the phase when a new one starts. */
export interface RunProgress {
  update(counts: ProgressCounts, phase?: string): void;
}
