import { InfoCard } from '@backstage/core-components';
import { Table, TableBody, TableCell, TableHead, TableRow } from '@material-ui/core';
import type { PreviewEnvironment } from '@gitops-suite/backstage-plugin-gitops-common';
import { PreviewRow } from './PreviewRow';

/**
 * The entity's previews, one per open pull request, newest first; nothing without any.
 * Shown apart from the environments: previews are never promoted from or to.
 */
export function PreviewsSection({ previews }: { previews?: PreviewEnvironment[] }) {
  if (!previews?.length) return null;
  return (
    <InfoCard title="Previews" subheader="One per open pull request, outside the promotion chain" noPadding>
      <div data-testid="previews" style={{ overflowX: 'auto' }}>
        <Table size="small" aria-label="Previews">
          <TableHead>
            <TableRow>
              <TableCell>Pull request</TableCell>
              <TableCell>Version</TableCell>
              <TableCell>Argo CD</TableCell>
              <TableCell>Preview</TableCell>
              <TableCell>Findings</TableCell>
              <TableCell>Age</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {previews.map(preview => (
              <PreviewRow key={`${preview.application.instance}/${preview.application.name}`} preview={preview} />
            ))}
          </TableBody>
        </Table>
      </div>
    </InfoCard>
  );
}
