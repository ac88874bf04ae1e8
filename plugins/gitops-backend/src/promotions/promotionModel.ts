import {
  parseImageRef,
  type EnvironmentDeployment,
  type Promotion,
  type PromotionVersion,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { StoredPromotion } from '../database/PromotionStore';

/** The version an environment runs, as a promotion records it; none without a tag. */
export function versionOf(env?: EnvironmentDeployment): PromotionVersion | undefined {
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

/** Why a promotion from `from` to `to` cannot start now, or undefined when it can. */
export function promotionBlockedBy(
  version: PromotionVersion | undefined,
  previous: PromotionVersion | undefined,
  activeId: string | undefined,
  from: string,
  to: string,
): string | undefined {
  if (!version) return `${from} runs no tagged version to promote`;
  if (previous?.tag === version.tag) return `${to} already runs ${version.tag}`;
  if (activeId) return `Promotion ${activeId} to ${to} is still active`;
  return undefined;
}

/** The API view of a stored promotion: where it writes stays inside the backend. */
export function toApi(promotion: StoredPromotion): Promotion {
  const { target: _target, ...rest } = promotion;
  return rest;
}
