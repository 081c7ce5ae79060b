import type { SourceRange } from '../findings.js';
import type { CiPipeline } from './types.js';

/**
 * Where a repo's own pipeline brings in files of another repo: its `include:` entry naming that repo (or, for a
 * nested include, the project include that leads to it). Findings about a template are anchored here in the
 * consuming repo, so that each consumer gets its own finding and a scoped run of it (lint, mr) keeps it.
 */
export function includeSite(repoId: string, pipeline: CiPipeline, fromRepo: string): { file: string; range?: SourceRange } {
  const include =
    pipeline.includes.find((entry) => entry.resolvedRepo === fromRepo && entry.origin.repo === repoId) ??
    pipeline.includes.find((entry) => entry.origin.repo === repoId && entry.type === 'project');
  return include ? { file: include.origin.file, range: include.origin.range } : { file: pipeline.file };
}
