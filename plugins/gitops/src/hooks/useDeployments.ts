import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef, stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import {
  gitopsEntitySignalChannel,
  type DeploymentsResponse,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef } from '../api';
import { LIVE_FALLBACK_POLL_MS, useLiveResource, type LiveResource } from './useLiveResource';

/**
 * How often the deployments are re-read when the app has no signals plugin (with it,
 * they are re-read on the backend's signals instead).
 */
export const DEPLOYMENTS_POLL_MS = LIVE_FALLBACK_POLL_MS;

/**
 * The entity's deployments, re-read from the backend's snapshot-backed route whenever
 * the backend signals a change for the entity. A failed read keeps the last good data
 * and reports the error beside it.
 *
 * @param pollMs - the poll interval when signals are not available.
 */
export function useDeployments(entity: Entity, pollMs = DEPLOYMENTS_POLL_MS): LiveResource<DeploymentsResponse> {
  const api = useApi(gitopsApiRef);
  const ref = getCompoundEntityRef(entity);
  const entityRef = stringifyEntityRef(ref);
  return useLiveResource({
    key: entityRef,
    load: () => api.getDeployments(ref),
    // Every kind: the tab shows promotion state (behind markers, promote buttons) too.
    channel: gitopsEntitySignalChannel(entityRef),
    fallbackPollMs: pollMs,
  });
}
