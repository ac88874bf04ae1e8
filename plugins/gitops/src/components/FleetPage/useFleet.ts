import {
  GITOPS_FLEET_SIGNAL_CHANNEL,
  type FleetResponse,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsApi } from '../../api';
import { useLiveResource, type LiveResource } from '../../hooks/useLiveResource';

/** What the fleet page needs of the gitops API client. */
export type FleetApi = Pick<GitopsApi, 'getFleet'>;

/**
 * How often the fleet is re-read when the app has no signals plugin. Slower than the
 * entity views' fallback: the fleet answer covers every service.
 */
export const FLEET_POLL_MS = 30_000;

/**
 * The whole fleet with its findings (so the risk counts criticals and exposed
 * secrets), re-read when the backend signals a change on the fleet channel (a burst
 * of changes across services costs at most one extra read); a failed read keeps the
 * last good answer.
 */
export function useFleet(api: FleetApi, pollMs = FLEET_POLL_MS): LiveResource<FleetResponse> {
  return useLiveResource({
    key: 'fleet',
    load: () => api.getFleet({}, { findings: true }),
    channel: GITOPS_FLEET_SIGNAL_CHANNEL,
    fallbackPollMs: pollMs,
  });
}
