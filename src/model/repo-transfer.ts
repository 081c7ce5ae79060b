/**
 * A built repo crossing threads. Worker threads build repos (parse + facts) in parallel and hand them over as
 * plain data that structured clone copies: the YAML trees stay behind (released: parsed again from the text
 * only where a position is asked for), and the facts that point at a document (Kubernetes objects, Helm values)
 * name it by file and index instead.
 */
import type { HelmValuesFile } from './helm/types.js';
import type { K8sObject } from './k8s/types.js';
import type { RepoFacts } from './repo-builder.js';
import type { Repo, RepoFile } from './types.js';
import { releasedYamlFile, yamlFileData, type YamlDocument, type YamlFileData } from './yaml/parse.js';
import { locatedSignalsOf, rememberLocatedSignals, type LocatedSignal } from './dependencies/located-signals.js';
import type { FileSource } from '../sources/file-source.js';

interface DocumentRef {
  file: string;
  index: number;
}

type Transferred<T extends { document: YamlDocument }> = Omit<T, 'document'> & { document: DocumentRef };

export interface RepoMessage {
  facts: Omit<RepoFacts, 'files' | 'yaml' | 'k8s' | 'helm'> & {
    k8s: Transferred<K8sObject>[];
    helm: { charts: RepoFacts['helm']['charts']; values: Transferred<HelmValuesFile>[] };
  };
  yaml: (YamlFileData & { signals: [string, LocatedSignal[]][][] })[];
}

const refOf = (document: YamlDocument): DocumentRef => ({ file: document.file, index: document.index });

/** In the worker: a built repo as plain data. Its files are not sent: the main thread read them. */
export function repoMessage(repo: RepoFacts): RepoMessage {
  const { yaml, k8s, helm } = repo;
  return {
    facts: {
      id: repo.id,
      kinds: repo.kinds,
      ...(repo.ci ? { ci: repo.ci } : {}),
      argocd: repo.argocd,
      dockerfiles: repo.dockerfiles,
      images: repo.images,
      invalidImages: repo.invalidImages,
      publishedImages: repo.publishedImages,
      diagnostics: repo.diagnostics,
      k8s: k8s.map((object) => ({ ...object, document: refOf(object.document) })),
      helm: { charts: helm.charts, values: helm.values.map((values) => ({ ...values, document: refOf(values.document) })) },
    },
    yaml: [...yaml.values()].map((parsed) => ({ ...yamlFileData(parsed), signals: parsed.documents.map(locatedSignalsOf) })),
  };
}

/** On the main thread: the repo again, with its files and source, its documents released. */
export function repoFromMessage(message: RepoMessage, files: RepoFile[], source: FileSource): Repo {
  const texts = new Map(files.map((file) => [file.path, file.text]));
  const yaml = new Map(
    message.yaml.map((data) => {
      const parsed = releasedYamlFile(data, texts.get(data.file) ?? '');
      parsed.documents.forEach((document, index) => {
        rememberLocatedSignals(document, data.signals[index] ?? []);
      });
      return [data.file, parsed];
    }),
  );
  const documentOf = (ref: DocumentRef): YamlDocument => {
    const document = yaml.get(ref.file)?.documents[ref.index];
    if (!document) throw new Error(`${message.facts.id}: ${ref.file} document ${ref.index + 1} was not handed over`);
    return document;
  };
  const { facts } = message;
  // The key order of RepoBuilder's repos, so that everything printed from a repo reads the same.
  return {
    id: facts.id,
    source,
    files,
    kinds: facts.kinds,
    yaml,
    ...(facts.ci ? { ci: facts.ci } : {}),
    argocd: facts.argocd,
    helm: { charts: facts.helm.charts, values: facts.helm.values.map((values) => ({ ...values, document: documentOf(values.document) })) },
    k8s: facts.k8s.map((object) => ({ ...object, document: documentOf(object.document) })),
    dockerfiles: facts.dockerfiles,
    images: facts.images,
    invalidImages: facts.invalidImages,
    publishedImages: facts.publishedImages,
    diagnostics: facts.diagnostics,
  };
}
