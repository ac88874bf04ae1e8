import {
  kustomizeImageEdit,
  kustomizeImageTagReader,
  setValueEdit,
  yamlValueReader,
  type RepositoryEdit,
  type VersionReader,
} from '@gitops-suite/backstage-plugin-gitops-node';
import type { PromotionTarget, StoredPromotion } from '../database/PromotionStore';

/** The edit that puts a promotion's version into its target file, by the target's strategy. */
export function repositoryEdit(promotion: StoredPromotion): RepositoryEdit {
  const { target, version } = promotion;
  if (target.strategy === 'kustomize-image') {
    return kustomizeImageEdit({ file: target.file, image: kustomizeImage(promotion), tag: version.tag });
  }
  return setValueEdit({ file: target.file, key: target.key, value: version.tag });
}

/** How to read the version a target file set, for the versions an environment ran. */
export function versionReader(target: PromotionTarget, image?: string): VersionReader {
  if (target.strategy === 'kustomize-image' && image) return kustomizeImageTagReader(image);
  return yamlValueReader(target.key);
}

/** The image the kustomization lists: what the target runs, else what is promoted. */
function kustomizeImage(promotion: StoredPromotion): string {
  const image = promotion.previousVersion?.repository ?? promotion.version.repository;
  if (!image) throw new Error(`the image of ${promotion.entityRef} in ${promotion.to} is not known`);
  return image;
}
