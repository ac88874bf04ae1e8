import {
  parseImageRef,
  type ApplicationSummary,
  type EnvironmentDeployment,
  type PromotionVersion,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { ArgoApplication } from '../../argocd/types';
import type { PromotionTarget } from '../../database/PromotionStore';
import { workloadSource } from './applicationSources';
import type { RevisionKind } from './deriveStrategy';

/** What reading an environment's version by a target's strategy looks at. */
export interface VersionSources {
  applicationOf(summary: ApplicationSummary): ArgoApplication | undefined;
  revisionKind?(repoURL: string, revision: string): Promise<RevisionKind>;
}

/**
 * The version an environment runs, as a promotion by `target`'s strategy moves it:
 * the image tag (values file, kustomization, Helm parameter), the chart version
 * (`chart-version`), the tag or commit it deploys (`git-revision`: the commit synced
 * when it follows a branch) or the commit its branch is synced at
 * (`environment-branch`). The image it runs is kept beside a chart or revision.
 */
export async function versionByStrategy(
  env: EnvironmentDeployment | undefined,
  target: Pick<PromotionTarget, 'strategy'>,
  sources: VersionSources,
): Promise<PromotionVersion | undefined> {
  const image = imageVersion(env);
  const summary = env?.applications[0];
  const application = summary && sources.applicationOf(summary);
  const workload = application && workloadSource(application);
  switch (target.strategy) {
    case 'chart-version': {
      const chart = workload?.source.chart;
      const version = workload?.source.targetRevision;
      return chart && version ? { ...withoutTag(image), kind: 'chart', chart, tag: version } : undefined;
    }
    case 'git-revision': {
      const revision = await followedRevision(workload?.source, summary, sources);
      return revision ? { ...withoutTag(image), kind: 'revision', tag: revision } : undefined;
    }
    case 'environment-branch': {
      const synced = summary?.sync.revision;
      return synced ? { ...withoutTag(image), kind: 'revision', tag: synced } : undefined;
    }
    default:
      return image;
  }
}

/** The image tag an environment runs, as a promotion records it; none without a tag. */
export function imageVersion(env?: EnvironmentDeployment): PromotionVersion | undefined {
  const image = env?.version?.image;
  if (!image) return undefined;
  const parsed = parseImageRef(image);
  if (!parsed.tag) return undefined;
  return {
    image,
    repository: parsed.repository,
    tag: parsed.tag,
    digest: parsed.digest ?? env?.version?.digest,
    revision: env?.version?.revision,
  };
}

/** A pinned tag or commit as written; a followed branch as the commit synced from it. */
async function followedRevision(
  source: { repoURL?: string; targetRevision?: string } | undefined,
  summary: ApplicationSummary | undefined,
  sources: VersionSources,
): Promise<string | undefined> {
  const revision = source?.targetRevision;
  if (!revision || revision === 'HEAD') return summary?.sync.revision;
  if (/^[0-9a-f]{40}$/.test(revision)) return revision;
  const kind = source.repoURL && sources.revisionKind ? await sources.revisionKind(source.repoURL, revision) : 'branch';
  return kind === 'tag' ? revision : summary?.sync.revision;
}

/** The image beside a chart or revision: what it runs, not what is promoted. */
function withoutTag(image?: PromotionVersion): Omit<PromotionVersion, 'tag'> {
  if (!image) return {};
  const { tag: _tag, ...rest } = image;
  return rest;
}
