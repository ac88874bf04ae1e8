import {
  InfoCard,
  MissingAnnotationEmptyState,
  Progress,
  WarningPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Box,
  Chip,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
  makeStyles,
} from '@material-ui/core';
import {
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_SELECTOR,
  hasGitopsAnnotations,
  type DeploymentsResponse,
  type EnvironmentDeployment,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { useDeployments } from '../../hooks/useDeployments';
import { rootRouteRef } from '../../routes';
import { HealthStatusLabel, SyncStatusLabel } from '../StatusChips';
import { PromoteButton, usePromotionDialog } from '../PromotionDialog';
import { UnknownRolloutNotice } from '../RolloutPanel';
import {
  isRolloutInProgress,
  relativeTime,
  rolloutStateLabel,
  versionLabel,
} from '../formatting';

const useStyles = makeStyles(theme => ({
  table: { '& td, & th': { paddingLeft: theme.spacing(2), paddingRight: theme.spacing(1) } },
  cell: { verticalAlign: 'top' },
  version: { display: 'flex', alignItems: 'baseline', flexWrap: 'wrap', gap: theme.spacing(1) },
  tag: { fontFamily: 'monospace', whiteSpace: 'nowrap' },
  status: { display: 'flex', flexWrap: 'wrap', columnGap: theme.spacing(1.5) },
  chip: { height: 20 },
  block: { display: 'block' },
  nowrap: { whiteSpace: 'nowrap' },
  actions: { textAlign: 'right', whiteSpace: 'nowrap' },
  message: { padding: theme.spacing(2) },
  warnings: { padding: theme.spacing(2, 2, 0) },
}));

const TITLE = 'Deployments';

/**
 * The entity overview card: each environment in promotion order with its version,
 * Argo CD sync and health, the rollout in flight and a promote button, kept live
 * like the Deployments tab (the same hook).
 */
export function DeploymentsCard() {
  const { entity } = useEntity();
  if (!hasGitopsAnnotations(entity)) {
    return (
      <InfoCard title={TITLE}>
        <MissingAnnotationEmptyState
          annotation={[ANNOTATION_ARGOCD_APP_SELECTOR, ANNOTATION_ARGOCD_APP_NAME]}
        />
      </InfoCard>
    );
  }
  return <DeploymentsCardView />;
}

/** The Deployments tab's path, when the app mounts the tab. */
function useDeploymentsLink(): string | undefined {
  try {
    // Throws when no route is bound to the tab: then the card has no link.
    return useRouteRef(rootRouteRef)();
  } catch {
    return undefined;
  }
}

function DeploymentsCardView() {
  const classes = useStyles();
  const { entity } = useEntity();
  const { value, error, loading, reload } = useDeployments(entity);
  const promotion = usePromotionDialog(entity, reload);
  const link = useDeploymentsLink();
  const deepLink = link ? { title: 'View deployments', link } : undefined;

  let body;
  if (loading && !value) {
    body = <Progress />;
  } else if (!value) {
    body = (
      <Box className={classes.message}>
        <WarningPanel severity="error" title="Could not load the deployments" message={error?.message} />
      </Box>
    );
  } else {
    body = (
      <>
        <Warnings value={value} error={error} />
        <Environments
          value={value}
          entityRef={stringifyEntityRef(entity)}
          onPromote={promotion.open}
        />
      </>
    );
  }
  return (
    <InfoCard title={TITLE} deepLink={deepLink} noPadding>
      <div data-testid="gitops-deployments-card">{body}</div>
      {promotion.dialog}
    </InfoCard>
  );
}

/** Per-source errors and a failed refresh, as one collapsed warning. */
function Warnings({ value, error }: { value: DeploymentsResponse; error?: Error }) {
  const classes = useStyles();
  const messages = [
    ...(error ? [`Refresh failed: ${error.message}`] : []),
    ...value.errors.map(sourceError => `${sourceError.source}: ${sourceError.message}`),
  ];
  if (!messages.length) return null;
  const sources = [...new Set(value.errors.map(sourceError => sourceError.source))];
  let title = 'Could not refresh the deployments';
  if (sources.length === 1) title = `Partial data: ${sources[0]}`;
  else if (sources.length > 1) title = `Partial data from ${sources.length} sources`;
  return (
    <Box className={classes.warnings}>
      <WarningPanel
        title={title}
        message={messages.map((message, index) => (
          <Typography key={index} variant="body2" component="span" className={classes.block}>
            {message}
          </Typography>
        ))}
      />
    </Box>
  );
}

function Environments(props: {
  value: DeploymentsResponse;
  entityRef: string;
  onPromote(from: EnvironmentDeployment, to: EnvironmentDeployment): void;
}) {
  const { value, entityRef, onPromote } = props;
  const classes = useStyles();
  const { environments } = value;
  const showRollouts = environments.some(hasRolloutToShow);
  if (!environments.length || environments.every(environment => !environment.applications.length)) {
    return (
      <Box className={classes.message}>
        <Typography variant="subtitle1">
          {environments.length ? 'Not deployed to any environment yet' : 'No environments'}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {environments.length
            ? 'No Argo CD application of this entity is placed in a configured environment.'
            : 'The GitOps backend has no environments configured (gitops.environments).'}
        </Typography>
      </Box>
    );
  }
  return (
    <Table size="small" className={classes.table} aria-label="Environments">
      <TableHead>
        <TableRow>
          <TableCell>Environment</TableCell>
          <TableCell>Version</TableCell>
          <TableCell>Status</TableCell>
          {showRollouts && <TableCell>Rollout</TableCell>}
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {environments.map((environment, index) => (
          <EnvironmentRow
            key={environment.name}
            environment={environment}
            next={environments[index + 1]}
            showRollouts={showRollouts}
            entityRef={entityRef}
            onPromote={onPromote}
          />
        ))}
      </TableBody>
    </Table>
  );
}

function EnvironmentRow(props: {
  environment: EnvironmentDeployment;
  next?: EnvironmentDeployment;
  showRollouts: boolean;
  entityRef: string;
  onPromote(from: EnvironmentDeployment, to: EnvironmentDeployment): void;
}) {
  const { environment, next, showRollouts, entityRef, onPromote } = props;
  const classes = useStyles();
  const { applications, version } = environment;
  const deployed = applications.length > 0;
  const rollouts = environment.rollouts.filter(isRolloutInProgress);
  const deployedAt = relativeTime(environment.lastDeployedAt);
  return (
    <TableRow data-testid={`card-environment-${environment.name}`}>
      <TableCell className={classes.cell}>
        <Typography variant="body2">
          <strong>{environment.title}</strong>
        </Typography>
        {environment.title !== environment.name && (
          <Typography variant="caption" color="textSecondary">
            {environment.name}
          </Typography>
        )}
      </TableCell>
      <TableCell className={classes.cell}>
        {deployed ? (
          <>
            <Box className={classes.version}>
              <Tooltip title={version?.image ?? ''}>
                <Typography variant="body2" className={classes.tag}>
                  {versionLabel(environment) ?? 'unknown'}
                </Typography>
              </Tooltip>
              {environment.behindSource && (
                <Chip
                  size="small"
                  color="secondary"
                  className={classes.chip}
                  label={`behind ${environment.promotesFrom}`}
                />
              )}
            </Box>
            {deployedAt && (
              <Typography variant="caption" color="textSecondary" className={classes.block}>
                {deployedAt}
              </Typography>
            )}
          </>
        ) : (
          <Typography variant="body2" color="textSecondary">
            not deployed
          </Typography>
        )}
      </TableCell>
      <TableCell className={classes.cell}>
        {applications.map(app => (
          <Typography key={`${app.instance}/${app.name}`} variant="body2" component="div" className={classes.status}>
            {applications.length > 1 && <span>{app.name}</span>}
            <SyncStatusLabel status={app.sync.status} />
            <HealthStatusLabel status={app.health.status} />
          </Typography>
        ))}
      </TableCell>
      {showRollouts && (
        <TableCell className={classes.cell}>
          {rollouts.map(rollout => (
            <Typography key={`${rollout.namespace}/${rollout.name}`} variant="body2" className={classes.nowrap}>
              {rolloutStateLabel(rollout)}
            </Typography>
          ))}
          {environment.unknownRollouts?.map(rollout => (
            <UnknownRolloutNotice key={`${rollout.namespace}/${rollout.name}`} rollout={rollout} />
          ))}
        </TableCell>
      )}
      <TableCell className={`${classes.cell} ${classes.actions}`}>
        {next && (
          <PromoteButton
            entityRef={entityRef}
            from={environment}
            to={next}
            onPromote={() => onPromote(environment, next)}
          >
            Promote to {next.title}
          </PromoteButton>
        )}
      </TableCell>
    </TableRow>
  );
}

/**
 * Whether the environment has a rollout worth a line: one in flight, or one whose state
 * could not be read (hiding that would read as "complete", like the finished ones).
 */
function hasRolloutToShow(environment: EnvironmentDeployment): boolean {
  return environment.rollouts.some(isRolloutInProgress) || Boolean(environment.unknownRollouts?.length);
}
