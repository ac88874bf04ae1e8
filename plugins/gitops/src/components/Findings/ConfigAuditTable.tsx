import { Table, type TableColumn } from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import type { ConfigAuditFinding } from '@gitops-suite/backstage-plugin-gitops-common';
import { SEVERITY_LOOKUP, SEVERITY_ORDER } from './severity';
import { TABLE_OPTIONS } from './tableOptions';

const lines = (texts: string[]) =>
  texts.map(text => (
    <Typography key={text} variant="body2" component="div">
      {text}
    </Typography>
  ));

const columns: TableColumn<ConfigAuditFinding>[] = [
  {
    title: 'Severity',
    field: 'severity',
    lookup: SEVERITY_LOOKUP,
    customSort: (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
    defaultSort: 'asc',
  },
  { title: 'Check', field: 'checkId' },
  { title: 'Title', field: 'title' },
  { title: 'Category', field: 'category' },
  { title: 'Messages', field: 'messages', render: c => lines(c.messages) },
  { title: 'Remediation', field: 'remediation' },
  {
    title: 'Workload',
    field: 'workload',
    render: c => lines([c.workload, ...c.resources]),
  },
];

/** Trivy Operator's failing configuration checks of the environment's workloads. */
export function ConfigAuditTable(props: { items: ConfigAuditFinding[] }) {
  return (
    <Table<ConfigAuditFinding>
      options={TABLE_OPTIONS}
      data={props.items}
      columns={columns}
    />
  );
}
