import { createServiceFactory } from '@backstage/backend-plugin-api';
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import { GitopsLocalReposUrlReader } from './GitopsLocalReposUrlReader';

/**
 * Lets every plugin's `coreServices.urlReader` (the catalog, TechDocs, the scaffolder's
 * `fetch:*` actions) read the repositories of `gitops:publish:local` through
 * `https://gitops.local/<name>/blob/<ref>/<path>` URLs.
 *
 * @remarks
 * URL readers are contributed through the multiton `urlReaderFactoriesServiceRef` of
 * `@backstage/backend-defaults/urlReader`, so this is a service factory rather than a
 * `createBackendModule`; add it to the backend like any feature:
 * `backend.add(gitopsLocalReposUrlReaderModule)`.
 *
 * @public
 */
export const gitopsLocalReposUrlReaderModule = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: {},
  async factory() {
    return GitopsLocalReposUrlReader.factory;
  },
});
