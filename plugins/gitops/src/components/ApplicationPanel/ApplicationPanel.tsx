import { Link } from '@backstage/core-components';
import { Box, Chip, Typography, makeStyles } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { ApplicationSummary, SyncOperation } from '@gitops-suite/backstage-plugin-gitops-common';
import { HealthStatusLabel, SyncStatusLabel } from '../StatusChips';
import { commitUrl, relativeTime, shortRevision } from '../formatting';
import { ApplicationControls } from './ApplicationControls';
import { ApplicationSources } from './ApplicationSources';

const useStyles = makeStyles(theme => ({
  row: { display: 'flex', alignItems: 'center', gap: theme.spacing(1), flexWrap: 'wrap' },
}));

/** Drifted resources shown on the card; the rest are one click away in Argo CD. */
const DRIFT_SHOWN = 5;

/**
 * One Argo CD application of an environment: sync and health, the revision, its last
 * sync operation with hooks (a failed hook named), what drifted, and the controls.
 * Every source of a multi-source application, and the ApplicationSet that generated it.
 */
export function ApplicationPanel(props: { application: ApplicationSummary; environment: { name: string; title: string }; onChange(): void }) {
  const { application: app, environment, onChange } = props;
  const classes = useStyles();
  return (
    <Box mt={1} data-testid={`application-${app.name}`}>
      <Box className={classes.row}>
        <SyncStatusLabel status={app.sync.status} />
        <HealthStatusLabel status={app.health.status} />
        {app.drift?.changedOutsideGit && <Chip size="small" color="secondary" label="changed outside git" />}
        {app.deleting && <Chip size="small" label="deleting" data-testid="application-deleting" />}
      </Box>
      <Typography variant="body2">
        {app.url ? <Link to={app.url}>{app.name}</Link> : app.name} on {app.instance}
        {app.sync.revision && ' at '}
        {app.sync.revision && <RevisionLink repoURL={app.source?.repoURL} revision={app.sync.revision} />}
      </Typography>
      <ApplicationSources application={app} />
      {app.operation && <OperationLine operation={app.operation} />}
      {app.drift && app.drift.total > 0 && <DriftList drift={app.drift} />}
      <ApplicationControls application={app} environment={environment} onDone={onChange} />
    </Box>
  );
}

function OperationLine({ operation }: { operation: SyncOperation }) {
  const failedHooks = operation.hooks.filter(h => h.hookPhase === 'Failed' || h.hookPhase === 'Error');
  const by = operation.initiatedBy === 'automated' ? ' by auto-sync' : operation.initiatedBy && ` by ${operation.initiatedBy}`;
  const when = relativeTime(operation.finishedAt ?? operation.startedAt);
  return (
    <>
      <Typography variant="caption" component="p" color="textSecondary">
        {operation.dryRun ? 'Dry-run sync' : 'Sync'} {operation.phase.toLowerCase()}
        {by ?? ''}
        {when ? ` ${when}` : ''}
        {operation.hooks.length > 0 && ` · hooks: ${operation.hooks.map(h => `${h.hookType} ${h.name} ${h.hookPhase}`).join(', ')}`}
      </Typography>
      {failedHooks.map(hook => (
        <Alert key={`${hook.kind}/${hook.name}`} severity="error" style={{ marginTop: 4 }}>
          {hook.hookType} hook {hook.kind} {hook.name} failed{hook.message ? `: ${hook.message}` : ''}
        </Alert>
      ))}
      {!failedHooks.length && (operation.phase === 'Failed' || operation.phase === 'Error') && operation.message && (
        <Alert severity="error" style={{ marginTop: 4 }}>
          Sync {operation.phase.toLowerCase()}: {operation.message}
        </Alert>
      )}
    </>
  );
}

function DriftList({ drift }: { drift: NonNullable<ApplicationSummary['drift']> }) {
  return (
    <Box mt={0.5}>
      <Typography variant="caption" component="p">
        {drift.changedOutsideGit
          ? 'The live state differs from git at the revision last synced: someone changed it by hand.'
          : `${drift.total} resource${drift.total === 1 ? '' : 's'} out of sync with git:`}
      </Typography>
      {drift.resources.slice(0, DRIFT_SHOWN).map(r => (
        <Typography key={`${r.group}/${r.kind}/${r.namespace}/${r.name}`} variant="caption" component="p">
          {r.kind} {r.namespace ? `${r.namespace}/` : ''}
          {r.name} {r.status}
          {r.diffUrl && (
            <>
              {' '}
              <Link to={r.diffUrl}>diff</Link>
            </>
          )}
        </Typography>
      ))}
      {drift.total > DRIFT_SHOWN && (
        <Typography variant="caption" component="p" color="textSecondary">
          and {drift.total - DRIFT_SHOWN} more in Argo CD
        </Typography>
      )}
    </Box>
  );
}

/** The short revision, linking to the commit when the repository has a web page. */
export function RevisionLink({ repoURL, revision }: { repoURL?: string; revision: string }) {
  const url = commitUrl(repoURL, revision);
  return url ? <Link to={url}>{shortRevision(revision)}</Link> : <>{shortRevision(revision)}</>;
}
