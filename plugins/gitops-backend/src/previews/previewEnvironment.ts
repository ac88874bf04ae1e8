import { parseImageRef, type PreviewEnvironment } from '@gitops-suite/backstage-plugin-gitops-common';
import type { IndexedApplication } from '../inventory/InventoryIndex';

/** The preview row of an application the index recognised as a pull request's preview. */
export function previewEnvironment(app: IndexedApplication & { preview: PreviewEnvironment['pullRequest'] }): PreviewEnvironment {
  const { summary } = app;
  const image = app.rollouts[0]?.images[0] ?? summary.images[0];
  const parsed = image ? parseImageRef(image) : undefined;
  return {
    application: summary,
    pullRequest: app.preview,
    ...(parsed || summary.sync.revision
      ? { version: { image: parsed?.image, tag: parsed?.tag, revision: summary.sync.revision } }
      : {}),
    ...(summary.externalURLs?.[0] ? { url: summary.externalURLs[0] } : {}),
    createdAt: summary.createdAt,
    tearingDown: Boolean(summary.deleting),
  };
}

/** Newest pull request first; the same number (two instances) by application name. */
export function byNewestPullRequest(a: PreviewEnvironment, b: PreviewEnvironment): number {
  return b.pullRequest.number - a.pullRequest.number || a.application.name.localeCompare(b.application.name);
}
