import type { TableProps } from '@backstage/core-components';

/** The findings tables: dense, filterable per column, searchable, paged. */
export const TABLE_OPTIONS: TableProps['options'] = {
  pageSize: 20,
  pageSizeOptions: [20, 50, 100],
  filtering: true,
  padding: 'dense',
  search: true,
};
