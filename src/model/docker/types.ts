import type { FactOrigin } from '../origin.js';

export interface DockerfileStage {
  /** The image as written after `FROM` (flags removed), before ARG substitution. */
  from: string;
  /** After substituting ARG defaults declared before the first FROM. */
  resolvedFrom: string;
  /** `AS name`, when present. */
  name?: string;
  /** True when `from` names an earlier build stage rather than an image. */
  isStageReference: boolean;
  /** True when `resolvedFrom` still has a variable with no known value (an ARG without default, a build-arg). */
  dynamic: boolean;
  /** Where the image is written (the line of `FROM`, narrowed to the image when it is on that line). */
  origin: FactOrigin;
}

export interface Dockerfile {
  file: string;
  stages: DockerfileStage[];
}
