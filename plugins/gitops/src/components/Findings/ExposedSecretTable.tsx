import { Table, type TableColumn } from '@backstage/core-components';
import type { ExposedSecretFinding } from '@gitops-suite/backstage-plugin-gitops-common';
import { FoundIn, foundInText } from './FoundIn';
import { SEVERITY_LOOKUP, SEVERITY_ORDER } from './severity';
import { TABLE_OPTIONS } from './tableOptions';

const columns: TableColumn<ExposedSecretFinding>[] = [
  {
    title: 'Severity',
    field: 'severity',
    lookup: SEVERITY_LOOKUP,
    customSort: (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
    defaultSort: 'asc',
  },
  { title: 'Secret', field: 'title', render: s => s.title ?? s.ruleId },
  { title: 'Rule', field: 'ruleId' },
  { title: 'Category', field: 'category' },
  { title: 'File', field: 'target' },
  { title: 'Match (redacted)', field: 'match' },
  {
    title: 'Found in',
    field: 'image',
    render: s => <FoundIn occurrences={s.occurrences} />,
    customFilterAndSearch: (term: string, s) =>
      foundInText(s.occurrences).includes(String(term).toLowerCase()),
  },
];

/** Secrets in the environment's running images, each once per image. */
export function ExposedSecretTable(props: { items: ExposedSecretFinding[] }) {
  return (
    <Table<ExposedSecretFinding>
      options={TABLE_OPTIONS}
      data={props.items}
      columns={columns}
    />
  );
}
