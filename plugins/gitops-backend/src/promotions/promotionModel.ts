import type { BranchDiff, Promotion, PromotionVersion } from '@gitops-suite/backstage-plugin-gitops-common';
import type { StoredPromotion } from '../database/PromotionStore';

/** Why a promotion from `from` to `to` cannot start now, or undefined when it can. */
export function promotionBlockedBy(
  version: PromotionVersion | undefined,
  previous: PromotionVersion | undefined,
  activeId: string | undefined,
  from: string,
  to: string,
  plan?: { diff?: BranchDiff; target: { branch: string } },
): string | undefined {
  if (!version) return `${from} runs no tagged version to promote`;
  if (previous?.tag === version.tag) return `${to} already runs ${version.tag}`;
  const diff = plan?.diff;
  if (diff?.conflicts.length) {
    return `Merging ${version.tag.slice(0, 7)} into ${plan!.target.branch} conflicts in ${diff.conflicts.join(', ')}; resolve it in git`;
  }
  if (diff && !diff.files.length) return `${to} already has what ${from} runs: no file differs`;
  if (activeId) return `Promotion ${activeId} to ${to} is still active`;
  return undefined;
}

/** The API view of a stored promotion: where it writes stays inside the backend. */
export function toApi(promotion: StoredPromotion): Promotion {
  const { target: _target, ...rest } = promotion;
  return rest;
}
