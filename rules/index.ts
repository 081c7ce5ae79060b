import type { Check } from '../src/engine/check.js';
import argocdAppSchema from './argocd-app-schema.js';
import argocdAppSource from './argocd-app-source.js';
import ciConfig from './ci-config.js';
import invalidImageReference from './invalid-image-reference.js';
import noSecrets from './no-secrets.js';
import repoLayout from './repo-layout.js';

/** Every TypeScript rule, sorted by id. A test keeps this list, the files in rules/ and docs/rules/ in step. */
export const TYPESCRIPT_RULES: readonly Check[] = [argocdAppSchema, argocdAppSource, ciConfig, invalidImageReference, noSecrets, repoLayout];
