import { Link, Progress, ResponseErrorPanel, Table, type TableColumn, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Checkbox, Dialog, DialogContent, DialogTitle, FormControlLabel, Tab, Tabs } from '@material-ui/core';
import type { PolicyResult, VulnerabilityFinding } from '@gitops-suite/backstage-plugin-gitops-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';

const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3, unknown: 4 };

const vulnerabilityColumns: TableColumn<VulnerabilityFinding>[] = [
  {
    title: 'Severity',
    field: 'severity',
    lookup: { critical: 'critical', high: 'high', medium: 'medium', low: 'low', unknown: 'unknown' },
    // Severity first, then the CVSS score, highest first.
    customSort: (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (b.score ?? 0) - (a.score ?? 0),
    defaultSort: 'asc',
  },
  { title: 'ID', field: 'id', render: f => (f.link ? <Link to={f.link}>{f.id}</Link> : f.id) },
  { title: 'Score', field: 'score', type: 'numeric' },
  { title: 'Package', field: 'package' },
  { title: 'Installed', field: 'installed' },
  {
    title: 'Fixed in',
    field: 'fixed',
    lookup: undefined,
    render: f => f.fixed ?? 'no fix',
  },
  { title: 'Title', field: 'title' },
  { title: 'Image', field: 'image' },
  { title: 'Workload', field: 'workload' },
];

const policyColumns: TableColumn<PolicyResult>[] = [
  { title: 'Policy', field: 'policy' },
  { title: 'Rule', field: 'rule' },
  { title: 'Result', field: 'result', lookup: { pass: 'pass', fail: 'fail', warn: 'warn', error: 'error', skip: 'skip' } },
  {
    title: 'Mode',
    field: 'enforce',
    render: r => {
      if (r.enforce === undefined) return 'unknown';
      return r.enforce ? 'Enforce' : 'Audit';
    },
  },
  { title: 'Severity', field: 'severity' },
  { title: 'Category', field: 'category' },
  { title: 'Message', field: 'message' },
  { title: 'Resource', render: r => `${r.resource.kind}/${r.resource.name}` },
];

/** Vulnerabilities and policy results of one environment: filterable, searchable, paged. */
export function FindingsDialog(props: { environment: { name: string; title: string }; onClose(): void }) {
  const { environment, onClose } = props;
  const { entity } = useEntity();
  const api = useApi(gitopsApiRef);
  const [tab, setTab] = useState(0);
  const [onlyFixable, setOnlyFixable] = useState(false);
  const ref = getCompoundEntityRef(entity);
  const { value, loading, error } = useAsync(
    () => Promise.all([api.getVulnerabilities(ref, environment.name), api.getPolicies(ref, environment.name)]),
    [api, ref.kind, ref.namespace, ref.name, environment.name],
  );
  const [vulnerabilities, policies] = value ?? [];
  const errors = [...(vulnerabilities?.errors ?? []), ...(policies?.errors ?? [])];
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="lg">
      <DialogTitle>Findings in {environment.title}</DialogTitle>
      <DialogContent>
        <Tabs value={tab} onChange={(_, next) => setTab(next)} indicatorColor="primary">
          <Tab label={`Vulnerabilities${vulnerabilities ? ` (${vulnerabilities.items.length})` : ''}`} />
          <Tab label={`Policies${policies ? ` (${policies.items.length})` : ''}`} />
        </Tabs>
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {errors.map(e => (
          <WarningPanel key={e.source} title={`Partial data: ${e.source}`} message={e.message} />
        ))}
        {vulnerabilities && tab === 0 && (
          <FormControlLabel
            control={<Checkbox checked={onlyFixable} onChange={e => setOnlyFixable(e.target.checked)} />}
            label="Only with a fix"
          />
        )}
        {vulnerabilities && tab === 0 && (
          <Table<VulnerabilityFinding>
            options={{ pageSize: 20, pageSizeOptions: [20, 50, 100], filtering: true, padding: 'dense', search: true }}
            data={onlyFixable ? vulnerabilities.items.filter(f => f.fixed) : vulnerabilities.items}
            columns={vulnerabilityColumns}
          />
        )}
        {policies && tab === 1 && (
          <Table<PolicyResult>
            options={{ pageSize: 20, pageSizeOptions: [20, 50, 100], filtering: true, padding: 'dense', search: true }}
            data={policies.items}
            columns={policyColumns}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}
