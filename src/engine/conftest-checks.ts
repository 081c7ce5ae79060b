import type { CheckReport, RepoCheck } from './check.js';
import type { ConftestEvaluation, ConftestPolicies } from './rego/conftest.js';
import type { Repo } from '../model/types.js';

/**
 * A folder of conftest policies as checks, one per rule (`conftest/deny`, `conftest/warn_privileged`, ...). Each
 * YAML document of a repo is one input, as conftest feeds it; a repo is evaluated once for all the folder's rules.
 */
export function conftestChecks(policies: ConftestPolicies, folder: string): RepoCheck[] {
  const evaluations = new WeakMap<Repo, ConftestEvaluation>();
  const evaluate = (repo: Repo): ConftestEvaluation => {
    let evaluation = evaluations.get(repo);
    if (!evaluation) {
      evaluation = { results: [], invalid: [], exceptions: [], errors: [] };
      for (const [file, parsed] of repo.yaml) {
        const one = policies.evaluateDocuments(file, parsed.documents);
        evaluation.results.push(...one.results);
        evaluation.invalid.push(...one.invalid);
        evaluation.errors.push(...one.errors);
      }
      evaluations.set(repo, evaluation);
    }
    return evaluation;
  };

  return policies.rules.map((ruleName): RepoCheck => {
    const warn = ruleName.startsWith('warn');
    return {
      meta: {
        id: `conftest/${ruleName}`,
        shortDescription: `conftest rule ${ruleName} from ${folder}`,
        fullDescription: `A conftest-style policy (package main, rule ${ruleName}) from ${folder}, evaluated over every YAML document of every repository.`,
        defaultSeverity: warn ? 'warning' : 'error',
        help: `See the policy source in ${folder}.`,
        docsPath: 'docs/conftest.md',
        tags: ['conftest'],
        scope: 'repo',
        implementation: 'rego',
      },
      run({ repo }): CheckReport[] {
        const evaluation = evaluate(repo);
        const failure = evaluation.errors.find((error) => error.policy === `conftest/${ruleName}`);
        if (failure) throw failure;
        return evaluation.results
          .filter((result) => result.ruleName === ruleName)
          .map((result) => ({ message: result.msg, file: result.file, docIndex: result.docIndex, path: [], subject: `${result.file}#${result.docIndex}:${result.msg}` }));
      },
    };
  });
}
