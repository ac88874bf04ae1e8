import { Link } from '@backstage/core-components';
import { Chip, TableCell, TableRow, Typography, makeStyles } from '@material-ui/core';
import type { PreviewEnvironment } from '@gitops-suite/backstage-plugin-gitops-common';
import { FindingsBadges } from '../Findings';
import { HealthStatusLabel, SyncStatusLabel } from '../StatusChips';
import { VersionText } from '../VersionText';
import { relativeTime } from '../formatting';

const useStyles = makeStyles(theme => ({
  cell: { verticalAlign: 'top' },
  line: { display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: theme.spacing(1) },
  mono: { fontFamily: 'monospace' },
  block: { display: 'block' },
}));

/** An external link, opened in a new tab. */
function ExternalLink({ to, children }: { to: string; children: string }) {
  return (
    <Link to={to} target="_blank" rel="noopener noreferrer">
      {children}
    </Link>
  );
}

/**
 * One preview: its pull request (number, title, branch, author), the version it runs
 * (image tag and head commit), Argo CD sync and health, its address, findings and age.
 * No promotion or rollback: a preview is outside the promotion chain.
 */
export function PreviewRow({ preview }: { preview: PreviewEnvironment }) {
  const classes = useStyles();
  const { application: app, pullRequest: pr, version } = preview;
  const age = relativeTime(preview.createdAt ?? app.createdAt);
  return (
    <TableRow data-testid={`preview-row-${pr.number}`}>
      <TableCell className={classes.cell}>
        <div className={classes.line}>
          {pr.url ? <ExternalLink to={pr.url}>{`#${pr.number}`}</ExternalLink> : <span>#{pr.number}</span>}
          {pr.title && <Typography variant="body2">{pr.title}</Typography>}
          {preview.tearingDown && <Chip size="small" label="Tearing down" data-testid="preview-tearing-down" />}
        </div>
        <Typography variant="caption" color="textSecondary" className={classes.block}>
          {[pr.branch, pr.author && `by ${pr.author}`].filter(Boolean).join(' · ')}
        </Typography>
      </TableCell>
      <TableCell className={classes.cell}>
        <Typography variant="body2" className={classes.mono}>
          <VersionText version={{ kind: 'image', tag: version?.tag }} fallback={version?.image ?? '–'} />
        </Typography>
        {pr.headSha && (
          <Typography variant="caption" color="textSecondary" className={`${classes.block} ${classes.mono}`}>
            <VersionText version={{ kind: 'revision', tag: pr.headSha }} />
          </Typography>
        )}
      </TableCell>
      <TableCell className={classes.cell}>
        <div className={classes.line}>
          <SyncStatusLabel status={app.sync.status} />
          <HealthStatusLabel status={app.health.status} />
        </div>
        <Typography variant="caption" className={classes.block}>
          {app.url ? <ExternalLink to={app.url}>{app.name}</ExternalLink> : app.name}
        </Typography>
      </TableCell>
      <TableCell className={classes.cell}>
        {preview.url ? <ExternalLink to={preview.url}>{preview.url}</ExternalLink> : '–'}
      </TableCell>
      <TableCell className={classes.cell}>
        <FindingsBadges vulnerabilities={preview.vulnerabilities} policies={preview.policies} />
      </TableCell>
      <TableCell className={classes.cell}>
        <Typography variant="body2" title={preview.createdAt ?? app.createdAt}>
          {age ?? '–'}
        </Typography>
      </TableCell>
    </TableRow>
  );
}
