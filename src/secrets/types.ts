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
  /**
   * What names the secret's place without its value, for the finding's fingerprint: the key or key path it is
   * assigned to (`auth.password`, `DB_PASSWORD`). Absent for a token found on its own.
   */
  key?: string;
  /** Placeholders (`changeme`, `<token>`) are reported as notes: probably harmless, worth a look. */
  placeholder: boolean;
  /**
   * Why the hit is probably not a live secret, when it is reported as a note for another reason than a placeholder:
   * "in a test or example file", "an example in documentation".
   */
  doubt?: string;
  /** The detector that found it: `secretlint/<rule>` or `fleetlint/<detector>`. */
  detector: string;
}
