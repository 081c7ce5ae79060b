/**
 * A time and memory budget for each evaluation of a custom policy. A policy's author can write a comprehension
 * that runs for hours or grows memory by megabytes a second; an evaluation in fleetlint's own thread cannot be
 * stopped, so custom policies are evaluated in a worker thread that is terminated when an evaluation takes longer
 * than the budget or the process grows by more than it. The built-in policies are fleetlint's own and measured:
 * they keep the fast in-thread path.
 */
import type { PolicyEvaluation } from './decisions.js';
import type { PortableHost } from './host.js';
import { PolicyThread } from './policy-thread.js';

export interface PolicyBudget {
  /** Longest one evaluation may take. */
  timeMs: number;
  /** How much one evaluation may grow the process's resident memory. */
  memoryMb: number;
}

export const DEFAULT_POLICY_BUDGET: PolicyBudget = { timeMs: 30_000, memoryMb: 1024 };

/** Why an evaluation was stopped, said as the end of "the policy ...". */
export class BudgetExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceeded';
  }
}

/** How often memory is looked at while an evaluation runs. */
const MEMORY_POLL_MS = 25;

export class BudgetedEvaluator {
  #thread: PolicyThread | undefined;

  constructor(
    private readonly host: PortableHost,
    private readonly budget: PolicyBudget,
  ) {}

  /** The evaluation, or undefined when it failed in the thread (the caller evaluates it again to say why). */
  async evaluate(entrypoint: string, inputText: string): Promise<PolicyEvaluation | undefined> {
    const thread = (this.#thread ??= new PolicyThread(this.host));
    const { timeMs, memoryMb } = this.budget;
    const startRss = process.memoryUsage.rss();
    let timer: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    const exceeded = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new BudgetExceeded(`took longer than its time budget of ${formatSeconds(timeMs)}`));
      }, timeMs);
      poll = setInterval(() => {
        const grown = process.memoryUsage.rss() - startRss;
        if (grown > memoryMb * 1024 * 1024) reject(new BudgetExceeded(`grew memory by more than its budget of ${String(memoryMb)} MB`));
      }, MEMORY_POLL_MS);
    });
    try {
      const [result] = await Promise.race([thread.evaluate(entrypoint, [inputText]), exceeded]);
      return result;
    } catch (error) {
      // The thread is stopped where it is; the next evaluation gets a fresh one.
      this.#thread = undefined;
      await thread.close();
      throw error;
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
    }
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${String(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}
