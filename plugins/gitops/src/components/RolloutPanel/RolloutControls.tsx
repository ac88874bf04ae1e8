import { useApi, alertApiRef } from '@backstage/core-plugin-api';
import { getCompoundEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Tooltip,
} from '@material-ui/core';
import {
  availableRolloutActions,
  gitopsRolloutControlPermission,
  type RolloutAction,
  type RolloutSummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { useState } from 'react';
import { gitopsApiRef } from '../../api';
import { errorMessage } from '../errorMessage';

const LABELS: Record<RolloutAction, { label: string; explain: string }> = {
  promote: { label: 'Promote', explain: 'continues to the next step (unpauses the rollout)' },
  'promote-full': { label: 'Promote fully', explain: 'skips the remaining steps and analysis and makes the new version stable' },
  abort: { label: 'Abort', explain: 'scales the canary down and sends all traffic back to the stable version' },
  retry: { label: 'Retry', explain: 'starts the aborted update again from the first step' },
  pause: { label: 'Pause', explain: 'holds the rollout at its current step' },
  restart: { label: 'Restart', explain: 'restarts every pod of the rollout' },
};

/**
 * Buttons for the actions valid in the rollout's current state, each behind a
 * confirmation naming the rollout and environment; disabled with a reason when the
 * user lacks the rollout control permission.
 */
export function RolloutControls(props: {
  rollout: RolloutSummary;
  environment: { name: string; title: string };
  onDone(): void;
}) {
  const { rollout, environment, onDone } = props;
  const { entity } = useEntity();
  const api = useApi(gitopsApiRef);
  const alertApi = useApi(alertApiRef);
  const { allowed, loading } = usePermission({
    permission: gitopsRolloutControlPermission,
    resourceRef: stringifyEntityRef(entity),
  });
  const [confirming, setConfirming] = useState<RolloutAction>();
  const [running, setRunning] = useState(false);

  async function run(action: RolloutAction) {
    setRunning(true);
    try {
      await api.runRolloutAction(getCompoundEntityRef(entity), action, {
        environment: environment.name,
        namespace: rollout.namespace,
        name: rollout.name,
      });
      alertApi.post({ message: `${LABELS[action].label}: ${rollout.name} in ${environment.title}`, severity: 'success', display: 'transient' });
    } catch (error) {
      alertApi.post({ message: `${LABELS[action].label} failed: ${errorMessage(error)}`, severity: 'error' });
    } finally {
      setRunning(false);
      setConfirming(undefined);
      onDone();
    }
  }

  const actions = availableRolloutActions(rollout);
  return (
    <>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 4, marginTop: 8 }}>
        {actions.map(action => (
          <Tooltip
            key={action}
            title={allowed ? LABELS[action].explain : 'You do not have permission to control rollouts of this entity'}
          >
            <span>
              <Button
                size="small"
                variant={action === 'promote' ? 'contained' : 'outlined'}
                color={action === 'abort' ? 'secondary' : 'primary'}
                disabled={!allowed || loading || running}
                onClick={() => setConfirming(action)}
              >
                {LABELS[action].label}
              </Button>
            </span>
          </Tooltip>
        ))}
      </div>
      <Dialog open={Boolean(confirming)} onClose={() => setConfirming(undefined)}>
        {confirming && (
          <>
            <DialogTitle>
              {LABELS[confirming].label} {rollout.name} in {environment.title}?
            </DialogTitle>
            <DialogContent>
              <DialogContentText>
                This {LABELS[confirming].explain}. Rollout {rollout.namespace}/{rollout.name} is{' '}
                {rollout.phase}
                {rollout.step ? ` at step ${rollout.step.index}/${rollout.step.count}` : ''}.
              </DialogContentText>
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setConfirming(undefined)}>Cancel</Button>
              <Button
                color={confirming === 'abort' ? 'secondary' : 'primary'}
                variant="contained"
                disabled={running}
                onClick={() => run(confirming)}
              >
                {LABELS[confirming].label}
              </Button>
            </DialogActions>
          </>
        )}
      </Dialog>
    </>
  );
}
