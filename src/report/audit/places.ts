/**
 * The places the audit report names for a finding: its own, linked to its line in GitLab when the run knows where
 * the repo is there, and its related places, of which those in a CI template of the finding's repo are named as
 * the template the finding comes from (the runner places such a finding at the repo's include of the template).
 */
import type { Finding } from '../../model/findings.js';
import { blobUrl } from '../../model/web-link.js';
import type { AuditSummary } from '../audit-summary.js';

export interface Place {
  text: string;
  /** GitLab's permalink of the line, when the run knows the repo's project and commit. */
  url?: string;
}

export interface RelatedPlace extends Place {
  /** The place is in a CI template the finding's repo includes. */
  template: boolean;
}

/** What places are linked and labelled from: the summary's `web` and `ciTemplates`. */
export type PlaceLinks = Pick<AuditSummary, 'web' | 'ciTemplates'>;

export function placeUrl(links: PlaceLinks, repo: string, file: string, line: number | undefined): string | undefined {
  const web = Object.hasOwn(links.web, repo) ? links.web[repo] : undefined;
  return web ? blobUrl(web, file, line) : undefined;
}

/** The finding's own place (file, line and column), or undefined for a finding on a whole repository. */
export function findingPlace(links: PlaceLinks, finding: Finding): Place | undefined {
  if (finding.file === undefined) return undefined;
  const text = finding.range ? `${finding.file}:${finding.range.startLine}:${finding.range.startColumn}` : finding.file;
  const url = placeUrl(links, finding.repo, finding.file, finding.range?.startLine);
  return url === undefined ? { text } : { text, url };
}

export function relatedPlaces(links: PlaceLinks, finding: Finding): RelatedPlace[] {
  const templates = Object.hasOwn(links.ciTemplates, finding.repo) ? (links.ciTemplates[finding.repo] ?? []) : [];
  return (finding.related ?? []).map((place) => {
    const line = place.range?.startLine;
    const text = `${place.repo}/${place.file}${line !== undefined ? `:${line}` : ''}`;
    const url = placeUrl(links, place.repo, place.file, line);
    const template = place.repo !== finding.repo && templates.includes(place.repo);
    return url === undefined ? { text, template } : { text, url, template };
  });
}
