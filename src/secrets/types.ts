import type { DocPath, SourceRange } from '../model/findings.js';

/** A secret candidate. `value` stays inside the secrets module: only its redacted form is ever printed. */
export interface SecretHit {
  /** What was found, for the message: "GitLab personal access token", "password in key adminPassword". */
  kind: string;
  value: string;
  file: string;
  range: SourceRange;
  path?: DocPath;
  docIndex?: number;
  /** Placeholders (`changeme`, `<token>`) are reported as notes: probably harmless, worth a look. */
  placeholder: boolean;
  /** The detector that found it: `secretlint/<rule>` or `fleetlint/<detector>`. */
  detector: string;
}
