import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import {
  GITOPS_FLEET_SIGNAL_CHANNEL,
  gitopsLineStopPermission,
  type LineStop,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { useState } from 'react';
import { gitopsApiRef } from '../../api';
import { useLiveResource } from '../../hooks/useLiveResource';
import { errorMessage } from '../errorMessage';
import { relativeTime } from '../formatting';

/** The environments a banner speaks of, in pipeline order. */
export type LineEnvironment = { name: string; title: string };

/**
 * The stops of the line that hold promotions into these environments (a stop of `*`
 * holds them all), live, each with who stopped it and why, and, for those allowed,
 * lifting a stop and stopping the line.
 */
export function LineStopBanner(props: { environments: LineEnvironment[]; onChange?(): void }) {
  const { environments, onChange } = props;
  const api = useApi(gitopsApiRef);
  const alertApi = useApi(alertApiRef);
  const { allowed } = usePermission({ permission: gitopsLineStopPermission });
  const [stopping, setStopping] = useState(false);
  const stops = useLiveResource({
    key: 'line-stops',
    load: () => api.listLineStops(),
    channel: GITOPS_FLEET_SIGNAL_CHANNEL,
    kind: 'line-stops',
  });
  const names = new Set(environments.map(e => e.name));
  const holding = (stops.value?.active ?? []).filter(s => s.environment === '*' || names.has(s.environment));
  const title = (name: string) => (name === '*' ? 'every environment' : environments.find(e => e.name === name)?.title ?? name);

  async function lift(stop: LineStop) {
    try {
      await api.liftLineStop(stop.id);
      alertApi.post({ message: `Promotions into ${title(stop.environment)} go on again`, severity: 'success', display: 'transient' });
    } catch (error) {
      alertApi.post({ message: `Could not lift the stop: ${errorMessage(error)}`, severity: 'error' });
    } finally {
      stops.reload();
      onChange?.();
    }
  }

  return (
    <Box data-testid="line-stops">
      {holding.map(stop => (
        <Alert
          key={stop.id}
          severity="warning"
          style={{ marginBottom: 8 }}
          action={
            allowed ? (
              <Button color="inherit" size="small" onClick={() => lift(stop)}>
                Lift
              </Button>
            ) : undefined
          }
        >
          <AlertTitle>Promotions into {title(stop.environment)} are stopped</AlertTitle>
          {stop.reason} — {stop.stoppedBy}, {relativeTime(stop.stoppedAt)}. No promotion starts or is written there until the stop is
          lifted; promotions under way are followed to their end.
        </Alert>
      ))}
      {stops.error && (
        <Typography variant="caption" color="error" component="p">
          Could not read whether the line is stopped: {errorMessage(stops.error)}. Promotions into a stopped environment are
          refused all the same.
        </Typography>
      )}
      {allowed && (
        <Button size="small" onClick={() => setStopping(true)}>
          Stop the line…
        </Button>
      )}
      {stopping && (
        <StopLineDialog
          environments={environments}
          onClose={() => setStopping(false)}
          onStopped={() => {
            setStopping(false);
            stops.reload();
            onChange?.();
          }}
        />
      )}
    </Box>
  );
}

function StopLineDialog(props: { environments: LineEnvironment[]; onClose(): void; onStopped(): void }) {
  const { environments, onClose, onStopped } = props;
  const api = useApi(gitopsApiRef);
  const [environment, setEnvironment] = useState('*');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  async function submit() {
    setError(undefined);
    try {
      await api.stopLine({ environment, reason: reason.trim() });
      onStopped();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Stop the line</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Holds every promotion into the environment, for every service, manual and continuous deployment alike, until someone
          lifts it. Promotions already written are followed to their end.
        </DialogContentText>
        <TextField select id="line-stop-environment" label="Environment" fullWidth margin="dense" value={environment} onChange={e => setEnvironment(e.target.value)}>
          <MenuItem value="*">Every environment</MenuItem>
          {environments.map(e => (
            <MenuItem key={e.name} value={e.name}>
              {e.title}
            </MenuItem>
          ))}
        </TextField>
        <TextField id="line-stop-reason" label="Why" required fullWidth multiline margin="dense" value={reason} onChange={e => setReason(e.target.value)} />
        {Boolean(error) && <Alert severity="error">{errorMessage(error)}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button color="secondary" variant="contained" disabled={!reason.trim()} onClick={submit}>
          Stop the line
        </Button>
      </DialogActions>
    </Dialog>
  );
}
