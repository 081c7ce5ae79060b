import type { Repo } from '../types.js';
import { dirOf, isUnder, normalizeDir } from '../helm/paths.js';
import type { ArgoSource } from './types.js';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/**
 * Which files of the source's repo ArgoCD reads as manifests: everything under a Helm chart or a Kustomize folder
 * (an approximation of the kustomization's `resources`), else a plain directory, whose subfolders are read only
 * with `directory.recurse: true`. Nothing for a source without `path` (a chart from a Helm repository).
 */
export function manifestFilter(source: ArgoSource, target: Repo): (file: string) => boolean {
  const dir = normalizeDir(source.path);
  if (dir === undefined) return () => false;
  const inDir = (name: string): string => (dir === '.' ? name : `${dir}/${name}`);
  const isChart = target.helm.charts.some((chart) => chart.dir === dir);
  const isKustomize = target.files.some((file) => KUSTOMIZATION_FILES.some((name) => file.path === inDir(name)));
  if (isChart || isKustomize || source.directoryRecurse === true) return (file) => isUnder(file, dir);
  return (file) => dirOf(file) === dir;
}
