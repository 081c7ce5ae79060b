import type { FindingDraft, Severity, SourceLocation } from '../findings.js';
import type { YamlDocument } from '../yaml/parse.js';
import { documentTree, toFactOrigin, type CiNode, type CiSource, type NodeOrigin } from './node.js';

export type CiRuleId = 'unresolved-include' | 'ci-config';

function sourceKey(source: CiSource): string {
  return `${source.repo}\0${source.document.file}`;
}

/**
 * Collects the resolver's findings. A problem written in another repo's file (a template pulled in with
 * `include: project:`) is reported on the linted repo, at the include entry that brought that file in, with the
 * template's location as `related`: the finding belongs to the repo whose pipeline breaks, and the template repo
 * would otherwise get one copy per consumer.
 */
export class CiReporter {
  readonly diagnostics: FindingDraft[] = [];
  private readonly anchors = new Map<string, NodeOrigin>();
  /** A file included twice (a diamond) must not report its problems twice. */
  private readonly seen = new Set<string>();
  /** The repo's own documents converted for this resolution (each kind of pipeline expands includes again). */
  readonly ownTrees = new Map<YamlDocument, CiNode | undefined>();

  constructor(readonly repoId: string) {}

  /** Records that `source` entered the pipeline through the include entry at `via` (the first path wins). */
  enter(source: CiSource, via: NodeOrigin): void {
    const key = sourceKey(source);
    if (this.anchors.has(key)) return;
    const anchor = via.source.repo === this.repoId ? via : this.anchors.get(sourceKey(via.source));
    if (anchor) this.anchors.set(key, anchor);
  }

  report(ruleId: CiRuleId, severity: Severity, message: string, at: NodeOrigin, subject: string): void {
    const where = at.source.repo === this.repoId ? at : (this.anchors.get(sourceKey(at.source)) ?? at);
    const origin = toFactOrigin(where);
    const finding: FindingDraft = { ruleId, severity, message, repo: origin.repo, file: origin.file, range: origin.range, subject };
    if (origin.path) finding.path = origin.path;
    if (origin.docIndex !== undefined) finding.docIndex = origin.docIndex;
    if (where !== at) {
      const real = toFactOrigin(at);
      finding.message = `${message} (in ${real.repo}: ${real.file}:${real.line})`;
      const related: SourceLocation = { repo: real.repo, file: real.file, range: real.range };
      if (real.path) related.path = real.path;
      finding.related = [related];
    }
    const key = [ruleId, finding.repo, finding.file, origin.range.startLine, origin.range.startColumn, finding.message].join('\0');
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(finding);
  }
}

/** A document's tree, with its recursive aliases (which the YAML parser accepts) reported. `keep`: see documentTree. */
export function readTree(repo: string, document: YamlDocument, reporter: CiReporter, keep: boolean): CiNode | undefined {
  if (!keep && reporter.ownTrees.has(document)) return reporter.ownTrees.get(document);
  const tree = documentTree(repo, document, keep);
  if (!keep) reporter.ownTrees.set(document, tree.node);
  for (const alias of tree.recursiveAliases) {
    reporter.report('ci-config', 'error', 'This alias refers to the node that contains it (a recursive alias); it is read as null.', alias, 'recursive-alias');
  }
  return tree.node;
}
