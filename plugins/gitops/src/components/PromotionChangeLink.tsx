import { Link } from '@backstage/core-components';
import type { Promotion } from '@gitops-suite/backstage-plugin-gitops-common';

/**
 * Where a promotion's change is: its pull request (while open, and after the merge)
 * and the commit on the branch Argo CD follows.
 */
export function PromotionChangeLink({ promotion }: { promotion: Promotion }) {
  const { commit, pullRequestUrl } = promotion;
  const sha = commit?.sha.slice(0, 7);
  return (
    <>
      {pullRequestUrl && <Link to={pullRequestUrl}>pull request #{pullRequestUrl.match(/(\d+)\/?$/)?.[1]}</Link>}
      {pullRequestUrl && commit && ', '}
      {commit && <>commit {commit.url ? <Link to={commit.url}>{sha}</Link> : sha}</>}
    </>
  );
}
