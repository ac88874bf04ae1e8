import { Table, type TableColumn } from '@backstage/core-components';
import type { PolicyResult } from '@gitops-suite/backstage-plugin-gitops-common';
import { TABLE_OPTIONS } from './tableOptions';

const columns: TableColumn<PolicyResult>[] = [
  { title: 'Policy', field: 'policy' },
  { title: 'Rule', field: 'rule' },
  {
    title: 'Result',
    field: 'result',
    lookup: {
      pass: 'pass',
      fail: 'fail',
      warn: 'warn',
      error: 'error',
      skip: 'skip',
    },
  },
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

/** Kyverno results of the environment's workloads, with Enforce or Audit. */
export function PolicyTable(props: { items: PolicyResult[] }) {
  return (
    <Table<PolicyResult>
      options={TABLE_OPTIONS}
      data={props.items}
      columns={columns}
    />
  );
}
