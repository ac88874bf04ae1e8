import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef, type Entity } from '@backstage/catalog-model';
import { useCallback, useEffect, useState } from 'react';
import type { DeploymentsResponse } from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef } from '../api';

/** How often the tab re-reads the (cheap, snapshot-backed) deployments route. */
export const DEPLOYMENTS_POLL_MS = 5_000;

/**
 * The entity's deployments, kept live by polling the backend's snapshot-backed
 * route (no upstream call per poll). A failed poll keeps the last good data and
 * reports the error beside it.
 */
export function useDeployments(entity: Entity, pollMs = DEPLOYMENTS_POLL_MS) {
  const api = useApi(gitopsApiRef);
  const [state, setState] = useState<{
    value?: DeploymentsResponse;
    error?: Error;
    loading: boolean;
  }>({ loading: true });
  const ref = getCompoundEntityRef(entity);
  const key = `${ref.kind}:${ref.namespace}/${ref.name}`;

  const load = useCallback(async () => {
    try {
      const value = await api.getDeployments(ref);
      setState({ value, loading: false });
    } catch (error) {
      setState(previous => ({ ...previous, error: error as Error, loading: false }));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);

  useEffect(() => {
    load();
    const timer = setInterval(load, pollMs);
    return () => clearInterval(timer);
  }, [load, pollMs]);

  return { ...state, reload: load };
}
