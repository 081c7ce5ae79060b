/**
 * Whether a job gates merge requests, and why not when it does not: decided once here from the job's `when`, its
 * rules and the workflow, so that policies read `job.gatesMergeRequests` instead of deriving it again.
 */
import { perMergeRequest } from './pipeline-kinds.js';
import type { CiTri, MergeRequestGate } from './types.js';

interface GatingFacts {
  when: string;
  ruleWhen?: readonly string[] | undefined;
  /** Whether it runs for merge requests: in the MR pipeline, or in the MR branch's own pipeline (rules.ts). */
  forMergeRequests: CiTri;
  /** What that depends on, when it is unknown. */
  unknown: readonly string[];
  /** Variables its rules read there that nothing defines, presumed unset. */
  assumed?: readonly string[];
}

/**
 * A job gates a merge request when a merge-request pipeline can run at all, the job runs in it, and it is neither
 * manual nor manual through every rule that may apply (a manual job waits for someone; the merge does not). A job
 * that runs for some merge requests and not others (by the files they change, their branch's name, title or labels:
 * PER_MERGE_REQUEST) gates the ones it runs for: it gates. Anything else not known offline (an input given when the
 * pipeline runs, a variable only the project's settings could set) makes it `unknown`; so does a job left out only
 * because a variable nothing defines is presumed unset.
 */
export function mergeRequestGate(job: GatingFacts, workflowAllowsMergeRequests: boolean): MergeRequestGate {
  if (job.when === 'manual') return { value: false, reason: 'manual' };
  if (manualThroughRules(job.ruleWhen)) return { value: false, reason: 'manual-through-rules' };
  if (!workflowAllowsMergeRequests) return { value: false, reason: 'excluded-by-workflow' };
  if (job.forMergeRequests === false) {
    // Left out only by a variable nothing defines: the project's settings may set it. Not a finding to stand on.
    if (job.assumed && job.assumed.length > 0) return { value: 'unknown', reason: 'unknown-offline', unknown: job.assumed.map((name) => `$${name}`) };
    return { value: false, reason: 'excluded-by-rules' };
  }
  if (job.forMergeRequests === 'unknown') {
    const unknown = job.unknown.filter((reason) => !perMergeRequest(reason));
    if (unknown.length > 0) return { value: 'unknown', reason: 'unknown-offline', unknown: [...unknown] };
  }
  return { value: true, reason: 'runs-in-merge-requests' };
}

/** Every rule that may apply makes the job manual (or never runs it). */
function manualThroughRules(ruleWhen: readonly string[] | undefined): boolean {
  return ruleWhen !== undefined && ruleWhen.length > 0 && ruleWhen.every((when) => when === 'manual' || when === 'never');
}
