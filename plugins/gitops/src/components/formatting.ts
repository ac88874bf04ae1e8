import type { EnvironmentDeployment, PromotionVersion, RolloutSummary } from '@gitops-suite/backstage-plugin-gitops-common';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

/** "3 hours ago", in the browser's locale. */
export function relativeTime(iso: string | undefined, now = Date.now()): string | undefined {
  if (!iso) return undefined;
  const delta = new Date(iso).getTime() - now;
  if (Number.isNaN(delta)) return undefined;
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(delta) >= ms || unit === 'second') {
      return format.format(Math.round(delta / ms), unit);
    }
  }
  return undefined;
}

/** Whether `revision` is a full git commit SHA (not a tag or branch name). */
export function isCommitSha(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

/** First 7 characters of a git SHA, as git shows it. */
export function shortRevision(revision?: string): string | undefined {
  return revision && isCommitSha(revision) ? revision.slice(0, 7) : revision;
}

/** `sha256:abcdef123456` from a full digest. */
export function shortDigest(digest?: string): string | undefined {
  return digest ? digest.replace(/^(sha256:)?([0-9a-f]{12}).*$/, 'sha256:$2') : undefined;
}

/**
 * A web link to a commit of an https git repository (GitHub, GitLab, Gitea and
 * Bitbucket Server all serve `<repo>/commit/<sha>`), or undefined for other URLs
 * (file://, ssh) that have no web page.
 */
export function commitUrl(repoURL: string | undefined, revision: string | undefined): string | undefined {
  if (!repoURL || !revision || !/^https:\/\//.test(repoURL) || !/^[0-9a-f]{7,40}$/.test(revision)) {
    return undefined;
  }
  return `${repoURL.replace(/\.git$/, '').replace(/\/$/, '')}/commit/${revision}`;
}

/** A version as the views show it: what `tag` is (`kind`, an image tag when absent) and, of a chart, its name. */
export type VersionOfKind = Partial<Pick<PromotionVersion, 'kind' | 'tag' | 'chart'>>;

/** How a version reads: `label` where it is shown, `title` (the full value) for its tooltip. */
export type FormattedVersion = { label: string; title?: string };

/**
 * A version by its kind: an image tag as is, `chart <name> <version>` for a chart
 * version, a git revision short (7 characters of a commit, a tag name as is) with the
 * full revision as its title.
 */
export function formatVersion(version: VersionOfKind | undefined): FormattedVersion | undefined {
  const tag = version?.tag;
  if (!tag) return undefined;
  if (version.kind === 'chart') return { label: ['chart', version.chart, tag].filter(Boolean).join(' ') };
  if (version.kind === 'revision') return { label: shortRevision(tag)!, title: tag };
  return { label: tag };
}

/** What an environment runs, as a version of its kind: the Helm chart when it runs one, else the image tag. */
export function environmentVersion(version: EnvironmentDeployment['version']): VersionOfKind | undefined {
  if (version?.chart) return { kind: 'chart', chart: version.chart.name, tag: version.chart.version };
  return version?.tag ? { kind: 'image', tag: version.tag } : undefined;
}

/**
 * The version an environment runs, compactly: the chart with the image tag it runs
 * ("chart pricing-api 1.2.0 · image 1.2.0"), else the image tag, else the short
 * digest, else the git revision.
 */
export function versionLabel(environment: Pick<EnvironmentDeployment, 'version' | 'applications'>): string | undefined {
  const { version, applications } = environment;
  if (version?.chart) {
    const chart = formatVersion(environmentVersion(version))!.label;
    return version.tag ? `${chart} · image ${version.tag}` : chart;
  }
  return (
    version?.tag ??
    shortDigest(version?.digest) ??
    shortRevision(version?.revision ?? applications.find(app => app.sync.revision)?.sync.revision)
  );
}

/** "canary", "blue-green". */
export function strategyLabel(strategy: RolloutSummary['strategy']): string {
  return strategy === 'blueGreen' ? 'blue-green' : strategy;
}

/** Whether an update of the rollout is in flight (or held: paused, aborted). */
export function isRolloutInProgress(rollout: RolloutSummary): boolean {
  return !rollout.completed || rollout.paused || rollout.aborted;
}

/** "canary 1/4, paused": strategy, step n/m as the panel shows it, and why it is not moving. */
export function rolloutStateLabel(rollout: RolloutSummary): string {
  const step = rollout.step ? ` ${rollout.step.index}/${rollout.step.count}` : '';
  let state = rollout.phase.toLowerCase();
  if (rollout.aborted) state = 'aborted';
  else if (rollout.paused) state = 'paused';
  return `${strategyLabel(rollout.strategy)}${step}, ${state}`;
}
