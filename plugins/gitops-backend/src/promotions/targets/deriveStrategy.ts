import type { PromotionWriteStrategy } from '@gitops-suite/backstage-plugin-gitops-common';
import type { ArgoApplication } from '../../argocd/types';
import { branchOf, workloadSource, type IndexedSource } from './applicationSources';

/** What a `targetRevision` names in its repository. */
export type RevisionKind = 'branch' | 'tag' | 'commit';

const COMMIT = /^[0-9a-f]{40}$/;

/**
 * The write strategy the target's Argo CD application implies, when config names none:
 * - a chart from a Helm repository: its version (`chart-version`), unless its values
 *   come from a file of another source (a multi-source application's `$ref`): that
 *   file's image tag (`helm-value`);
 * - the path the source environment's application deploys, on another branch of the
 *   same repository: a merge of that branch's revision (`environment-branch`);
 * - a tag or commit as `targetRevision`: move it to the source's (`git-revision`);
 * - otherwise the image tag in a values file (`helm-value`).
 * A revision the repository cannot be asked about is taken as a branch only when it
 * cannot be a commit: its name is then checked by git when the write runs.
 */
export async function deriveStrategy(options: {
  application: ArgoApplication;
  workload: IndexedSource;
  sourceApplication?: ArgoApplication;
  revisionKind?(repoURL: string, revision: string): Promise<RevisionKind>;
}): Promise<PromotionWriteStrategy> {
  const { workload, sourceApplication } = options;
  if (workload.source.chart) {
    // Values from another source (`$values/...`) hold the version; the chart is the same code.
    const referenced = workload.source.helm?.valueFiles?.some(file => file.startsWith('$'));
    return referenced ? 'helm-value' : 'chart-version';
  }
  const revision = workload.source.targetRevision;
  const sourceWorkload = sourceApplication && workloadSource(sourceApplication);
  // Both following one revision tells nothing apart, and a revision shared is nothing to
  // move: the repository is only asked about a revision that differs.
  const sameRevision = sourceWorkload && branchOf(sourceWorkload.source.targetRevision) === branchOf(revision);
  const kind = sameRevision && !COMMIT.test(revision ?? '') ? 'branch' : await kindOf(options, workload.source.repoURL, revision);
  if (kind !== 'branch') return 'git-revision';
  if (
    sourceWorkload &&
    !sourceWorkload.source.chart &&
    sourceWorkload.source.repoURL === workload.source.repoURL &&
    normalPath(sourceWorkload.source.path) === normalPath(workload.source.path) &&
    branchOf(sourceWorkload.source.targetRevision) !== branchOf(revision)
  ) {
    return 'environment-branch';
  }
  return 'helm-value';
}

async function kindOf(
  options: { revisionKind?(repoURL: string, revision: string): Promise<RevisionKind> },
  repoURL: string | undefined,
  revision: string | undefined,
): Promise<RevisionKind> {
  if (!revision || revision === 'HEAD') return 'branch';
  if (COMMIT.test(revision)) return 'commit';
  if (!options.revisionKind || !repoURL) return 'branch';
  return options.revisionKind(repoURL, revision);
}

function normalPath(p?: string) {
  return (p ?? '').replace(/^\.?\/+|\/+$/g, '');
}
