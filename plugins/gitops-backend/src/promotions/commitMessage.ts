import type { StoredPromotion } from '../database/PromotionStore';

/** The message of a promotion's commit (and its pull request's title and body), without the trailer. */
export function commitMessage(promotion: StoredPromotion): string {
  const name = promotion.entityRef.replace(/^[^:]+:(default\/)?/, '');
  const lines = [
    promotion.kind === 'rollback'
      ? `Roll back ${name} in ${promotion.to} to ${promotion.version.tag}`
      : `Promote ${name} ${promotion.version.tag} from ${promotion.from} to ${promotion.to}`,
    '',
    `Requested by ${promotion.requestedBy}.`,
  ];
  if (promotion.previousVersion) lines.push(`${promotion.to} ran ${promotion.previousVersion.tag}.`);
  if (promotion.comment) lines.push('', promotion.comment);
  return lines.join('\n');
}
