import {
  applicationSetElementEdit,
  applicationSetElementReader,
  kustomizeImageEdit,
  kustomizeImageTagReader,
  manifestFieldEdit,
  manifestFieldReader,
  mergeRevisionEdit,
  restorePathEdit,
  setValueEdit,
  yamlValueReader,
  type RepositoryEdit,
  type VersionReader,
} from '@gitops-suite/backstage-plugin-gitops-node';
import type { PromotionTarget, StoredPromotion } from '../database/PromotionStore';

/** The edit that puts a promotion's version into its target, by the target's strategy. */
export function repositoryEdit(promotion: StoredPromotion): RepositoryEdit {
  const { target, version } = promotion;
  const { manifest } = target;
  if (manifest?.kind === 'ApplicationSet') {
    return applicationSetElementEdit({
      file: target.file,
      applicationSet: manifest.name,
      application: manifest.application,
      field: manifest.field,
      value: version.tag,
    });
  }
  if (manifest?.kind === 'Application') {
    return manifestFieldEdit({ file: target.file, kind: 'Application', name: manifest.name, path: manifest.path, value: version.tag });
  }
  if (target.strategy === 'environment-branch') {
    // A rollback restores the environment's files as they were; a promotion merges.
    return promotion.kind === 'rollback'
      ? restorePathEdit({ revision: version.tag, paths: [target.path ?? target.file] })
      : mergeRevisionEdit({ sourceBranch: target.sourceBranch!, revision: version.tag });
  }
  if (target.strategy === 'kustomize-image') {
    return kustomizeImageEdit({ file: target.file, image: kustomizeImage(promotion), tag: version.tag });
  }
  return setValueEdit({ file: target.file, key: target.key, value: version.tag });
}

/**
 * How to read the version a target file set, for the versions an environment ran.
 * An environment branch's versions are its commits: every one reads as itself.
 */
export function versionReader(target: PromotionTarget, image?: string): VersionReader {
  const { manifest } = target;
  if (manifest?.kind === 'ApplicationSet') {
    return applicationSetElementReader({ applicationSet: manifest.name, application: manifest.application, field: manifest.field });
  }
  if (manifest?.kind === 'Application') return manifestFieldReader({ kind: 'Application', name: manifest.name, path: manifest.path });
  if (target.strategy === 'environment-branch') return () => '';
  if (target.strategy === 'kustomize-image' && image) return kustomizeImageTagReader(image);
  return yamlValueReader(target.key);
}

/** The image the kustomization lists: what the target runs, else what is promoted. */
function kustomizeImage(promotion: StoredPromotion): string {
  const image = promotion.previousVersion?.repository ?? promotion.version.repository;
  if (!image) throw new Error(`the image of ${promotion.entityRef} in ${promotion.to} is not known`);
  return image;
}
