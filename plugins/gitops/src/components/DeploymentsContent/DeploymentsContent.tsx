import {
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Grid, Typography } from '@material-ui/core';
import ArrowForwardIcon from '@material-ui/icons/ArrowForward';
import {
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_SELECTOR,
  hasGitopsAnnotations,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { Fragment, useState } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { EnvironmentDeployment } from '@gitops-suite/backstage-plugin-gitops-common';
import { PromoteButton, usePromotionDialog } from '../PromotionDialog';
import { PromotionHistoryCard } from '../PromotionHistory';
import { useDeployments } from '../../hooks/useDeployments';
import { EnvironmentCard } from '../EnvironmentCard';
import { LineStopBanner } from '../LineStops';
import { InsightsPanel } from '../Insights';
import { PreviewsSection } from '../Previews';
import { environmentVersion, formatVersion } from '../formatting';

/** The entity's Deployments tab: every environment side by side, then the pull requests' previews, kept live. */
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
  const [changes, setChanges] = useState(0);
  const onChange = () => {
    reload();
    setChanges(n => n + 1);
  };
  const promotion = usePromotionDialog(entity, onChange);
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
      <Grid item xs={12}>
        <LineStopBanner environments={environments} onChange={onChange} />
      </Grid>
      {environments.map((environment, index) => (
        <Fragment key={environment.name}>
          {index > 0 && (
            <Grid item xs="auto" style={{ display: 'flex', alignItems: 'center' }}>
              <PromoteStep
                entityRef={stringifyEntityRef(entity)}
                from={environments[index - 1]}
                to={environment}
                onPromote={() => promotion.open(environments[index - 1], environment)}
              />
            </Grid>
          )}
          <Grid item xs>
            <EnvironmentCard environment={environment} onChange={reload} />
          </Grid>
        </Fragment>
      ))}
      {value.previews?.length ? (
        <Grid item xs={12}>
          <PreviewsSection previews={value.previews} />
        </Grid>
      ) : null}
      <Grid item xs={12}>
        <InsightsPanel environments={environments} refreshKey={changes} />
      </Grid>
      <Grid item xs={12}>
        <PromotionHistoryCard refreshKey={changes} />
      </Grid>
      {promotion.dialog}
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

/** The arrow between two environments, with a promote button when they differ and the user may promote. */
function PromoteStep(props: {
  entityRef: string;
  from: EnvironmentDeployment;
  to: EnvironmentDeployment;
  onPromote(): void;
}) {
  const { entityRef, from, to, onPromote } = props;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center' }}>
      <ArrowForwardIcon color="action" aria-label="promotes to" />
      <PromoteButton entityRef={entityRef} from={from} to={to} onPromote={onPromote}>
        Promote {formatVersion(environmentVersion(from.version))?.label} → {to.title}
      </PromoteButton>
    </div>
  );
}
