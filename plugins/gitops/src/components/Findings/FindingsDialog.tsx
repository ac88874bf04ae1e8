import { Progress, ResponseErrorPanel, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Dialog, DialogContent, DialogTitle, Tab, Tabs } from '@material-ui/core';
import type { SourceError } from '@gitops-suite/backstage-plugin-gitops-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { ConfigAuditTable } from './ConfigAuditTable';
import { ExposedSecretTable } from './ExposedSecretTable';
import { PolicyTable } from './PolicyTable';
import { VulnerabilityTable } from './VulnerabilityTable';

/** One warning per source: a forbidden cluster fails every list, but is one problem. */
function distinctErrors(errors: SourceError[]): SourceError[] {
  return [...new Map(errors.map(e => [e.source, e])).values()];
}

function fulfilled<T>(result?: PromiseSettledResult<T>): T | undefined {
  return result?.status === 'fulfilled' ? result.value : undefined;
}

const count = (list?: { items: unknown[] }) => (list ? ` (${list.items.length})` : '');

/**
 * Findings of one environment, a tab per kind: vulnerabilities, policy results, exposed
 * secrets and configuration checks; filterable, searchable, paged.
 */
export function FindingsDialog(props: { environment: { name: string; title: string }; onClose(): void }) {
  const { environment, onClose } = props;
  const { entity } = useEntity();
  const api = useApi(gitopsApiRef);
  const [tab, setTab] = useState(0);
  const ref = getCompoundEntityRef(entity);
  // Each list on its own: one that fails (an older backend, a 403) leaves the others.
  const { value, loading } = useAsync(
    () =>
      Promise.allSettled([
        api.getVulnerabilities(ref, environment.name),
        api.getPolicies(ref, environment.name),
        api.getExposedSecrets(ref, environment.name),
        api.getConfigAudits(ref, environment.name),
      ]),
    [api, ref.kind, ref.namespace, ref.name, environment.name],
  );
  const [vulnerabilities, policies, secrets, configAudits] = [
    fulfilled(value?.[0]),
    fulfilled(value?.[1]),
    fulfilled(value?.[2]),
    fulfilled(value?.[3]),
  ] as const;
  const failures = (value ?? []).flatMap(r => (r.status === 'rejected' ? [r.reason as Error] : []));
  const errors = distinctErrors([vulnerabilities, policies, secrets, configAudits].flatMap(list => list?.errors ?? []));
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="lg">
      <DialogTitle>Findings in {environment.title}</DialogTitle>
      <DialogContent>
        <Tabs value={tab} onChange={(_, next) => setTab(next)} indicatorColor="primary">
          <Tab label={`Vulnerabilities${count(vulnerabilities)}`} />
          <Tab label={`Policies${count(policies)}`} />
          <Tab label={`Exposed secrets${count(secrets)}`} />
          <Tab label={`Config audit${count(configAudits)}`} />
        </Tabs>
        {loading && <Progress />}
        {failures.map((failure, i) => (
          <ResponseErrorPanel key={i} error={failure} />
        ))}
        {errors.map(e => (
          <WarningPanel key={e.source} title={`Partial data: ${e.source}`} message={e.message} />
        ))}
        {vulnerabilities && tab === 0 && <VulnerabilityTable items={vulnerabilities.items} />}
        {policies && tab === 1 && <PolicyTable items={policies.items} />}
        {secrets && tab === 2 && <ExposedSecretTable items={secrets.items} />}
        {configAudits && tab === 3 && <ConfigAuditTable items={configAudits.items} />}
      </DialogContent>
    </Dialog>
  );
}
