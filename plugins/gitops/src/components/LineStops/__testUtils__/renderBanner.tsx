import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { MockPermissionApi, TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { gitopsApiRef } from '../../../api';
import { LineStopBanner } from '../LineStopBanner';

const environments = [
  { name: 'staging', title: 'Staging' },
  { name: 'prod', title: 'Production' },
];
const prodStop = { id: 's1', environment: 'prod', reason: 'incident 4711: payments down', stoppedBy: 'user:default/alice', stoppedAt: new Date().toISOString() };
const otherStop = { id: 's2', environment: 'qa', reason: 'not ours', stoppedBy: 'user:default/bob', stoppedAt: new Date().toISOString() };

/** The banner over staging and prod, with a prod stop and one of another environment. */
export async function renderBanner(allowed: boolean) {
  const api = {
    listLineStops: jest.fn().mockResolvedValue({ active: [prodStop, otherStop], recent: [] }),
    stopLine: jest.fn().mockResolvedValue({ ...prodStop, id: 's3', environment: '*' }),
    liftLineStop: jest.fn().mockResolvedValue({ ...prodStop, liftedBy: 'user:default/bob' }),
  };
  await renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api], [permissionApiRef, new MockPermissionApi(() => (allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY))]]}>
      <LineStopBanner environments={environments} />
    </TestApiProvider>,
  );
  return api;
}

