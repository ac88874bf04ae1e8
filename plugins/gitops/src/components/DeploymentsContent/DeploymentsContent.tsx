import {
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Button, Grid, Typography } from '@material-ui/core';
import ArrowForwardIcon from '@material-ui/icons/ArrowForward';
import {
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_SELECTOR,
  hasGitopsAnnotations,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { Fragment, useState } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { EnvironmentDeployment } from '@gitops-suite/backstage-plugin-gitops-common';
import { PromotionDialog } from '../PromotionDialog';
import { PromotionHistoryCard } from '../PromotionHistory';
import { useDeployments } from '../../hooks/useDeployments';
import { EnvironmentCard } from '../EnvironmentCard';

/** The entity's Deployments tab: every environment side by side, kept live. */
export function DeploymentsContent() {
  const { entity } = useEntity();
  if (!hasGitopsAnnotations(entity)) {
    return (
      <MissingAnnotationEmptyState
        annotation={[ANNOTATION_ARGOCD_APP_SELECTOR, ANNOTATION_ARGOCD_APP_NAME]}
      />
    );
  }
  return <DeploymentsView />;
}

function DeploymentsView() {
  const { entity } = useEntity();
  const { value, error, loading, reload } = useDeployments(entity);
  const [promoting, setPromoting] = useState<{ from: EnvironmentDeployment; to: EnvironmentDeployment }>();
  const [changes, setChanges] = useState(0);
  const onChange = () => {
    reload();
    setChanges(n => n + 1);
  };
  if (loading && !value) return <Progress />;
  if (error && !value) return <ResponseErrorPanel error={error} />;
  if (!value) return null;
  const environments = value.environments;
  return (
    <Grid container spacing={2} alignItems="stretch">
      {error && (
        <Grid item xs={12}>
          <WarningPanel title="Could not refresh the deployments" message={error.message} />
        </Grid>
      )}
      {value.errors.map(sourceError => (
        <Grid item xs={12} key={sourceError.source}>
          <WarningPanel title={`Partial data: ${sourceError.source}`} message={sourceError.message} />
        </Grid>
      ))}
      {environments.map((environment, index) => (
        <Fragment key={environment.name}>
          {index > 0 && (
            <Grid item xs="auto" style={{ display: 'flex', alignItems: 'center' }}>
              <PromoteStep
                from={environments[index - 1]}
                to={environment}
                onPromote={() => setPromoting({ from: environments[index - 1], to: environment })}
              />
            </Grid>
          )}
          <Grid item xs>
            <EnvironmentCard environment={environment} onChange={reload} />
          </Grid>
        </Fragment>
      ))}
      <Grid item xs={12}>
        <PromotionHistoryCard refreshKey={changes} />
      </Grid>
      {promoting && (
        <PromotionDialog
          entityRef={stringifyEntityRef(entity)}
          from={promoting.from}
          to={promoting.to}
          onClose={() => setPromoting(undefined)}
          onChange={onChange}
        />
      )}
      {value.unassigned.length > 0 && (
        <Grid item xs={12}>
          <Typography variant="body2" color="textSecondary">
            Applications in no configured environment:{' '}
            {value.unassigned.map(app => `${app.instance}/${app.name}`).join(', ')}
          </Typography>
        </Grid>
      )}
    </Grid>
  );
}

/** The arrow between two environments, with a promote button when they differ. */
function PromoteStep(props: {
  from: EnvironmentDeployment;
  to: EnvironmentDeployment;
  onPromote(): void;
}) {
  const { from, to, onPromote } = props;
  const promotable =
    to.promotesFrom === from.name &&
    Boolean(from.version?.tag) &&
    to.applications.length > 0 &&
    from.version?.tag !== to.version?.tag;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center' }}>
      <ArrowForwardIcon color="action" aria-label="promotes to" />
      {promotable && (
        <Button size="small" color="primary" variant="outlined" onClick={onPromote}>
          Promote {from.version?.tag} → {to.title}
        </Button>
      )}
    </div>
  );
}
