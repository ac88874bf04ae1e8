import { Typography } from '@material-ui/core';
import type { PromotionWrite } from '@gitops-suite/backstage-plugin-gitops-common';

const inFile = (file?: string) => (file ? ` in ${file}` : '');

/**
 * What a promotion changes, in words: "Set image.tag in apps/x/values.yaml", "Merge dev
 * into main by pull request", "Set ... of ApplicationSet notify-api".
 */
export function writePlanSentence(write: PromotionWrite, applicationSet?: string): string {
  const { strategy, field, file } = write;
  switch (strategy) {
    case 'environment-branch':
      return `Merge ${write.sourceBranch ?? 'the source branch'} into ${write.branch} ${write.method === 'pull-request' ? 'by pull request' : 'with a merge commit'}`;
    case 'chart-version':
      return `Set the chart version (${field ?? 'spec.source.targetRevision'})${inFile(file)}`;
    case 'git-revision':
      return `Set the git revision (${field ?? 'spec.source.targetRevision'})${inFile(file)}`;
    case 'application-set':
      return applicationSet
        ? `Set ${field ?? 'the version'} of ApplicationSet ${applicationSet}`
        : `Set ${field ?? 'the version'} of the ApplicationSet${inFile(file)}`;
    case 'kustomize-image':
      return `Set the image tag (${field ?? 'images[].newTag'})${inFile(file)}`;
    default:
      return `Set ${field ?? 'the image tag'}${inFile(file)}`;
  }
}

/** Where a promotion writes and how: the change in words, then the commit or pull request, branch and repository. */
export function WritePlan({ write, applicationSet }: { write: PromotionWrite; applicationSet?: string }) {
  const how = write.method === 'pull-request' ? 'Pull request' : 'Commit';
  return (
    <div data-testid="promotion-write-plan" style={{ marginTop: 8 }}>
      <Typography variant="body2">{writePlanSentence(write, applicationSet)}</Typography>
      <Typography variant="caption" component="p" color="textSecondary" style={{ wordBreak: 'break-all' }}>
        {write.strategy === 'environment-branch' ? `In ${write.repoURL}` : `${how} to ${write.branch} of ${write.repoURL}`}
        {write.strategy === 'application-set' && applicationSet && write.file ? ` (${write.file})` : ''}
      </Typography>
    </div>
  );
}
