/**
 * Whether a job gates merge requests, and why not when it does not: decided once here from the job's `when`, its
 * rules and the workflow, so that policies read `job.gatesMergeRequests` instead of deriving it again.
 */
import type { MergeRequestGate } from './types.js';

interface GatingFacts {
  when: string;
  ruleWhen?: readonly string[];
  runsInMergeRequests: boolean;
}

/**
 * A job gates a merge request when a merge-request pipeline can run at all, the job runs in it, and it is neither
 * manual nor manual through every rule that may apply (a manual job waits for someone; the merge does not).
 */
export function mergeRequestGate(job: GatingFacts, workflowAllowsMergeRequests: boolean): MergeRequestGate {
  if (job.when === 'manual') return { value: false, reason: 'manual' };
  if (manualThroughRules(job.ruleWhen)) return { value: false, reason: 'manual-through-rules' };
  if (!workflowAllowsMergeRequests) return { value: false, reason: 'excluded-by-workflow' };
  if (!job.runsInMergeRequests) return { value: false, reason: 'excluded-by-rules' };
  return { value: true, reason: 'runs-in-merge-requests' };
}

/** Every rule that may apply makes the job manual (or never runs it). */
function manualThroughRules(ruleWhen: readonly string[] | undefined): boolean {
  return ruleWhen !== undefined && ruleWhen.length > 0 && ruleWhen.every((when) => when === 'manual' || when === 'never');
}
