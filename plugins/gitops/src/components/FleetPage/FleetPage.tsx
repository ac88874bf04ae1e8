import {
  Content,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteParams, entityRouteRef } from '@backstage/plugin-catalog-react';
import { Box, Chip, TextField, Typography, makeStyles } from '@material-ui/core';
import type { HealthStatus, SyncStatus } from '@gitops-suite/backstage-plugin-gitops-common';
import {
  memo,
  useCallback,
  useDeferredValue,
  useMemo,
  useState,
  type CSSProperties,
  type ReactNode,
} from 'react';
import { gitopsApiRef } from '../../api';
import type {
  FleetEnvironmentStatus,
  FleetItem,
  FleetResponse,
  FleetRisk,
} from './types';
import { VirtualRows } from './VirtualRows';
import { AwaitingApprovalCard } from '../AwaitingApproval';
import { useFleet } from './useFleet';
import { LineStopBanner } from '../LineStops';
import { FleetInsightsTable } from '../Insights';
import { formatVersion } from '../formatting';

export { FLEET_POLL_MS, type FleetApi } from './useFleet';

/** Fixed row height: what lets the table render only the rows in view. */
export const FLEET_ROW_HEIGHT = 56;
const HEADER_HEIGHT = 40;
const SERVICE_COLUMN = 240;
const RISK_COLUMN = 90;
const DRIFT_COLUMN = 80;
const PREVIEWS_COLUMN = 80;
const ENVIRONMENT_COLUMN = 190;

const RISK_RANK: Record<FleetRisk, number> = { high: 0, low: 1, none: 2 };
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  filter: { minWidth: 200 },
  table: {
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    backgroundColor: theme.palette.background.paper,
  },
  row: {
    display: 'grid',
    alignItems: 'center',
    boxSizing: 'border-box',
    borderBottom: `1px solid ${theme.palette.divider}`,
  },
  headerRow: {
    backgroundColor: theme.palette.background.paper,
    fontWeight: theme.typography.fontWeightBold as number,
    height: HEADER_HEIGHT,
  },
  cell: {
    padding: theme.spacing(0, 1),
    overflow: 'hidden',
    whiteSpace: 'nowrap',
    textOverflow: 'ellipsis',
    minWidth: 0,
  },
  caption: {
    display: 'block',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    color: theme.palette.text.secondary,
  },
  environment: { display: 'flex', alignItems: 'center', gap: theme.spacing(0.5), minWidth: 0 },
  tag: {
    fontFamily: 'monospace',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    maxWidth: 90,
  },
  icon: { display: 'inline-flex', '& > *': { margin: 0 } },
  small: { height: 20, fontSize: '0.7rem' },
}));

const FleetRow = memo(function FleetRowView(props: {
  item: FleetItem;
  index: number;
  style: CSSProperties;
  columns: string;
  environments: FleetResponse['environments'];
  promotesFrom: Record<string, string | undefined>;
}) {
  const { item, index, style, columns, environments, promotesFrom } = props;
  const classes = useStyles();
  const entityRoute = useRouteRef(entityRouteRef);
  const caption = [item.owner && shortRef(item.owner), item.system && shortRef(item.system)]
    .filter(Boolean)
    .join(' · ');
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      data-testid={`fleet-row-${item.entityRef}`}
      className={classes.row}
      style={{ ...style, gridTemplateColumns: columns }}
    >
      <div role="cell" className={classes.cell}>
        <Link to={entityRoute(entityRouteParams(item.entityRef))}>{item.title ?? item.name}</Link>
        <Typography variant="caption" className={classes.caption}>
          {caption || item.kind}
        </Typography>
      </div>
      <div role="cell" className={classes.cell} title={item.riskReasons.join('\n') || 'no known risk'}>
        <RiskLabel risk={item.risk} />
      </div>
      <div role="cell" className={classes.cell}>
        {item.drift ? (
          <Chip size="small" color="secondary" label="drift" className={classes.small} />
        ) : (
          <Typography variant="body2" color="textSecondary">
            –
          </Typography>
        )}
      </div>
      <div role="cell" className={classes.cell} data-testid="fleet-previews">
        <PreviewCount count={item.previews} />
      </div>
      {environments.map(env => (
        <div role="cell" key={env.name} className={classes.cell}>
          <EnvironmentStatus status={item.environments[env.name]} promotesFrom={promotesFrom[env.name]} />
        </div>
      ))}
    </div>
  );
});

/**
 * The fleet: one row per service, its open pull requests' previews, one column per environment (tag, sync and health,
 * a "behind" marker where it runs another version than the environment it promotes
 * from), risk and drift at a glance, riskiest first. Filters by owner, system and
 * text; only the rows in view are rendered, so thousands of services scroll smoothly.
 */
export function FleetTable(props: { fleet: FleetResponse; height?: CSSProperties['height'] }) {
  const { fleet, height = 'calc(100vh - 320px)' } = props;
  const classes = useStyles();
  const [owner, setOwner] = useState('');
  const [system, setSystem] = useState('');
  const [search, setSearch] = useState('');
  const deferredSearch = useDeferredValue(search);

  const sorted = useMemo(
    () =>
      [...fleet.items].sort(
        (a, b) => RISK_RANK[a.risk] - RISK_RANK[b.risk] || collator.compare(a.name, b.name) || collator.compare(a.entityRef, b.entityRef),
      ),
    [fleet.items],
  );
  const owners = useMemo(() => distinct(fleet.items.map(i => i.owner)), [fleet.items]);
  const systems = useMemo(() => distinct(fleet.items.map(i => i.system)), [fleet.items]);
  const visible = useMemo(() => {
    const text = deferredSearch.trim().toLocaleLowerCase();
    return sorted.filter(
      item =>
        (!owner || item.owner === owner) &&
        (!system || item.system === system) &&
        (!text ||
          item.entityRef.toLocaleLowerCase().includes(text) ||
          (item.title ?? '').toLocaleLowerCase().includes(text)),
    );
  }, [sorted, owner, system, deferredSearch]);
  const counts = useMemo(
    () => ({
      high: visible.filter(i => i.risk === 'high').length,
      drift: visible.filter(i => i.drift).length,
    }),
    [visible],
  );

  const columns = `${SERVICE_COLUMN}px ${RISK_COLUMN}px ${DRIFT_COLUMN}px ${PREVIEWS_COLUMN}px repeat(${fleet.environments.length}, minmax(${ENVIRONMENT_COLUMN}px, 1fr))`;
  const minWidth = SERVICE_COLUMN + RISK_COLUMN + DRIFT_COLUMN + PREVIEWS_COLUMN + fleet.environments.length * ENVIRONMENT_COLUMN;
  const promotesFrom = useMemo(
    () => Object.fromEntries(fleet.environments.map(e => [e.name, e.promotesFrom])),
    [fleet.environments],
  );
  const renderRow = useCallback(
    (item: FleetItem, index: number, style: CSSProperties) => (
      <FleetRow
        key={item.entityRef}
        item={item}
        index={index}
        style={style}
        columns={columns}
        environments={fleet.environments}
        promotesFrom={promotesFrom}
      />
    ),
    [columns, fleet.environments, promotesFrom],
  );

  return (
    <>
      <div className={classes.filters}>
        <TextField
          select
          id="fleet-owner"
          label="Owner"
          value={owner}
          onChange={e => setOwner(e.target.value)}
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          className={classes.filter}
        >
          <option value="">All owners</option>
          {owners.map(ref => (
            <option key={ref} value={ref}>
              {shortRef(ref)}
            </option>
          ))}
        </TextField>
        <TextField
          select
          id="fleet-system"
          label="System"
          value={system}
          onChange={e => setSystem(e.target.value)}
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          className={classes.filter}
        >
          <option value="">All systems</option>
          {systems.map(ref => (
            <option key={ref} value={ref}>
              {shortRef(ref)}
            </option>
          ))}
        </TextField>
        <TextField
          id="fleet-search"
          label="Search"
          placeholder="name or title"
          value={search}
          onChange={e => setSearch(e.target.value)}
          InputLabelProps={{ shrink: true }}
          className={classes.filter}
        />
        <Typography variant="body2" color="textSecondary" data-testid="fleet-summary">
          {visible.length} of {fleet.items.length} services · {counts.high} high risk · {counts.drift} drifting
        </Typography>
      </div>
      {visible.length === 0 ? (
        <Typography color="textSecondary">No service matches these filters.</Typography>
      ) : (
        <VirtualRows
          aria-label="Fleet"
          className={classes.table}
          items={visible}
          rowHeight={FLEET_ROW_HEIGHT}
          height={height}
          headerHeight={HEADER_HEIGHT}
          minWidth={minWidth}
          header={
            <div role="row" className={`${classes.row} ${classes.headerRow}`} style={{ gridTemplateColumns: columns }}>
              <div role="columnheader" className={classes.cell}>Service</div>
              <div role="columnheader" className={classes.cell}>Risk</div>
              <div role="columnheader" className={classes.cell}>Drift</div>
              <div role="columnheader" className={classes.cell} title="Preview applications: one per open pull request">
                Previews
              </div>
              {fleet.environments.map(env => (
                <div role="columnheader" key={env.name} className={classes.cell}>
                  {env.title}
                </div>
              ))}
            </div>
          }
          renderRow={renderRow}
        />
      )}
    </>
  );
}

/** How many previews (open pull requests) the service has; a dash for none. */
function PreviewCount({ count }: { count?: number }) {
  if (!count) {
    return (
      <Typography variant="body2" color="textSecondary" aria-label="no previews">
        –
      </Typography>
    );
  }
  return (
    <Typography variant="body2" title={`${count} preview${count === 1 ? '' : 's'}: one per open pull request`}>
      {count}
    </Typography>
  );
}

function EnvironmentStatus(props: { status?: FleetEnvironmentStatus; promotesFrom?: string }) {
  const { status, promotesFrom } = props;
  const classes = useStyles();
  if (!status) {
    return (
      <Typography variant="body2" color="textSecondary" aria-label="not deployed">
        –
      </Typography>
    );
  }
  const { version, vulnerabilities } = status;
  return (
    <div className={classes.environment}>
      <Typography variant="body2" className={classes.tag} title={version?.image}>
        {formatVersion(version)?.label ?? (version ? 'untagged' : 'unknown')}
      </Typography>
      {status.sync && <SyncIcon status={status.sync} />}
      {status.health && <HealthIcon status={status.health} />}
      {status.rolloutPhase && status.rolloutPhase !== 'Healthy' && (
        <Typography variant="caption" title={`rollout ${status.rolloutPhase}`}>
          {status.rolloutPhase}
        </Typography>
      )}
      {status.behindSource && (
        <Chip
          size="small"
          label="behind"
          title={`runs another version than ${promotesFrom ?? 'its source'}`}
          className={classes.small}
        />
      )}
      {vulnerabilities && (vulnerabilities.critical > 0 || vulnerabilities.high > 0) && (
        <Typography
          variant="caption"
          color={vulnerabilities.critical ? 'error' : 'textSecondary'}
          title={`${vulnerabilities.critical} critical, ${vulnerabilities.high} high vulnerabilities`}
        >
          C{vulnerabilities.critical} H{vulnerabilities.high}
        </Typography>
      )}
      <ExposedSecrets status={status} />
    </div>
  );
}

/** Secrets in the running images, or that nobody knows: either is a high risk. */
function ExposedSecrets({ status }: { status: FleetEnvironmentStatus }) {
  const { exposedSecrets, exposedSecretsUnknown } = status;
  if (exposedSecrets) {
    const noun = exposedSecrets === 1 ? 'secret' : 'secrets';
    return (
      <Typography variant="caption" color="error" title={`${exposedSecrets} exposed ${noun} in the running images`}>
        {exposedSecrets} {noun}
      </Typography>
    );
  }
  if (exposedSecretsUnknown) {
    return (
      <Typography variant="caption" color="error" title={`exposed secrets unknown: ${exposedSecretsUnknown}`}>
        secrets?
      </Typography>
    );
  }
  return null;
}

function RiskLabel({ risk }: { risk: FleetRisk }) {
  if (risk === 'high') return <StatusError>high</StatusError>;
  if (risk === 'low') return <StatusWarning>low</StatusWarning>;
  return <StatusOK>none</StatusOK>;
}

/** Sync as an icon only (the table has no room for words); the word is its label. */
function SyncIcon({ status }: { status: SyncStatus }) {
  let icon: ReactNode;
  if (status === 'Synced') icon = <StatusOK />;
  else if (status === 'OutOfSync') icon = <StatusWarning />;
  else icon = <StatusPending />;
  return <Icon label={`sync: ${status}`}>{icon}</Icon>;
}

/** Health as an icon only, the same mapping as `HealthStatusLabel`. */
function HealthIcon({ status }: { status: HealthStatus }) {
  let icon: ReactNode;
  switch (status) {
    case 'Healthy':
      icon = <StatusOK />;
      break;
    case 'Progressing':
      icon = <StatusRunning />;
      break;
    case 'Degraded':
      icon = <StatusError />;
      break;
    case 'Suspended':
      icon = <StatusWarning />;
      break;
    case 'Missing':
      icon = <StatusAborted />;
      break;
    default:
      icon = <StatusPending />;
  }
  return <Icon label={`health: ${status}`}>{icon}</Icon>;
}

function Icon(props: { label: string; children: ReactNode }) {
  const classes = useStyles();
  return (
    <span className={classes.icon} title={props.label} aria-label={props.label} role="img">
      {props.children}
    </span>
  );
}

/** The fleet page: every annotated service in every environment, kept live. */
export function FleetPage() {
  const api = useApi(gitopsApiRef);
  const { value, error, loading } = useFleet(api);
  let content: ReactNode;
  if (loading && !value) content = <Progress />;
  else if (error && !value) content = <ResponseErrorPanel error={error} />;
  else if (value) {
    content = (
      <>
        {error && <WarningPanel title="Could not refresh the fleet" message={error.message} />}
        {value.errors.length > 0 && (
          <Box mb={2}>
            <WarningPanel
              title={`Partial data: ${value.errors.length} source${value.errors.length === 1 ? '' : 's'} could not be read`}
            >
              {value.errors.map(e => (
                <Typography variant="body2" key={`${e.source}|${e.message}`}>
                  {e.source}: {e.message}
                </Typography>
              ))}
            </WarningPanel>
          </Box>
        )}
        <FleetTable fleet={value} />
        <Box mt={2}>
          <FleetInsightsTable environments={value.environments} />
        </Box>
      </>
    );
  }
  return (
    <Page themeId="tool">
      <Header title="Fleet" subtitle="Every service in every environment: versions, drift and risk" />
      <Content>
        {value && (
          <Box mb={2}>
            <LineStopBanner environments={value.environments} />
          </Box>
        )}
        <Box mb={2}>
          <AwaitingApprovalCard />
        </Box>
        {content}
      </Content>
    </Page>
  );
}

function distinct(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => Boolean(v)))].sort(collator.compare);
}

/** `group:default/team-a` -> `team-a`; other namespaces are kept: `ops/team-b`. */
function shortRef(ref: string): string {
  return ref.replace(/^[^:]+:/, '').replace(/^default\//, '');
}
