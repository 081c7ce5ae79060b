import type { AppSourceSpec, AppSpec } from './app-spec.js';

/**
 * The build environment ArgoCD gives a source (`ARGOCD_APP_*`), which it substitutes into value file paths,
 * Helm parameters and kustomize images and labels. The revision is the commit ArgoCD checked out; fleetlint
 * renders the fleet's copy of the repo, whose commit it does not know, so it is empty.
 */
export function argoEnv(app: AppSpec, source: AppSourceSpec): Record<string, string> {
  return {
    ARGOCD_APP_NAME: app.name,
    ARGOCD_APP_NAMESPACE: app.destinationNamespace ?? '',
    ARGOCD_APP_PROJECT_NAME: app.project,
    ARGOCD_APP_REVISION: '',
    ARGOCD_APP_REVISION_SHORT: '',
    ARGOCD_APP_REVISION_SHORT_8: '',
    ARGOCD_APP_SOURCE_REPO_URL: source.repoURL ?? '',
    ARGOCD_APP_SOURCE_PATH: source.path ?? '',
    ARGOCD_APP_SOURCE_TARGET_REVISION: source.targetRevision ?? '',
  };
}

/**
 * `$NAME` and `${NAME}` replaced as ArgoCD's Env.Envsubst does with Go's os.Expand: unknown names become empty,
 * `$$` is a dollar, and a `$` followed by nothing that names a variable stays.
 */
export function envsubst(text: string, env: Readonly<Record<string, string>>): string {
  let result = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar === -1 || dollar === text.length - 1) {
      result += text.slice(index);
      break;
    }
    result += text.slice(index, dollar);
    const { name, width } = shellName(text.slice(dollar + 1));
    if (name === '' && width > 0) {
      // Bad syntax such as `${}`: Go drops it.
    } else if (name === '') {
      result += '$';
    } else {
      result += name === '$' ? '$' : (env[name] ?? '');
    }
    index = dollar + 1 + width;
  }
  return result;
}

const SPECIAL = '*#$@!?-0123456789';

function shellName(text: string): { name: string; width: number } {
  if (text.startsWith('{')) {
    if (text.length > 2 && SPECIAL.includes(text.charAt(1)) && text.charAt(2) === '}') return { name: text.charAt(1), width: 3 };
    const close = text.indexOf('}');
    if (close === -1) return { name: '', width: 1 };
    if (close === 1) return { name: '', width: 2 };
    return { name: text.slice(1, close), width: close + 1 };
  }
  if (text.length > 0 && SPECIAL.includes(text.charAt(0))) return { name: text.charAt(0), width: 1 };
  const match = /^[A-Za-z0-9_]*/.exec(text);
  const name = match?.[0] ?? '';
  return { name, width: name.length };
}
