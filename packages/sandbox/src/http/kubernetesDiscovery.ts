import type express from 'express';
import type { Request } from 'express';
import { groupVersion } from '../kubeTypes';
import {
  KubernetesResourceType,
  kubernetesResourceTypes,
} from './kubernetesResources';

interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

/**
 * The API server's discovery documents, built from the types the sandbox serves:
 * `/api` (APIVersions), `/apis` (APIGroupList), `/apis/<group>` (APIGroup) and the
 * APIResourceList of each group version (`/api/v1`, `/apis/<group>/<version>`), what
 * kubectl and client libraries read before they list anything.
 */
export function addDiscoveryRoutes(
  app: express.Express,
  types: KubernetesResourceType[] = kubernetesResourceTypes,
): void {
  const byGroupVersion = new Map<string, KubernetesResourceType[]>();
  for (const type of types) {
    byGroupVersion.set(type.groupVersion, [
      ...(byGroupVersion.get(type.groupVersion) ?? []),
      type,
    ]);
  }
  const groups = new Map<string, GroupVersionForDiscovery[]>();
  for (const gv of byGroupVersion.keys()) {
    const { group, version } = groupVersion(gv);
    if (group) {
      groups.set(group, [
        ...(groups.get(group) ?? []),
        { groupVersion: gv, version },
      ]);
    }
  }
  const apiGroup = (name: string) => {
    const versions = groups.get(name)!;
    return { name, versions, preferredVersion: versions[0] };
  };

  app.get('/api', (req, res) => {
    res.json({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [
        { clientCIDR: '0.0.0.0/0', serverAddress: serverAddress(req) },
      ],
    });
  });
  app.get('/apis', (_req, res) => {
    res.json({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups.keys()].map(apiGroup),
    });
  });
  for (const group of groups.keys()) {
    app.get(`/apis/${group}`, (_req, res) => {
      res.json({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) });
    });
  }
  for (const [gv, gvTypes] of byGroupVersion) {
    const core = gv === 'v1';
    app.get(core ? '/api/v1' : `/apis/${gv}`, (_req, res) => {
      res.json({
        kind: 'APIResourceList',
        // The core group's list has no apiVersion, the named groups' lists do.
        ...(core ? {} : { apiVersion: 'v1' }),
        groupVersion: gv,
        resources: gvTypes.flatMap(apiResources),
      });
    });
  }
}

/** `APIResource` entries of one type, with the status subresource it can be patched at. */
function apiResources(type: KubernetesResourceType) {
  const resource = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: type.verbs,
    ...(type.shortNames ? { shortNames: type.shortNames } : {}),
  };
  return type.verbs.includes('patch')
    ? [
        resource,
        {
          name: `${type.plural}/status`,
          singularName: '',
          namespaced: type.namespaced,
          kind: type.kind,
          verbs: ['patch'],
        },
      ]
    : [resource];
}

function serverAddress(req: Request): string {
  const { localAddress, localPort } = req.socket;
  return req.header('host') ?? `${localAddress}:${localPort}`;
}
