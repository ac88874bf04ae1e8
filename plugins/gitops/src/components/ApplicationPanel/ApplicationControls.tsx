import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControlLabel,
  TextField,
  Tooltip,
} from '@material-ui/core';
import {
  gitopsApplicationSyncPermission,
  type ApplicationAction,
  type ApplicationSummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { useState } from 'react';
import { gitopsApiRef } from '../../api';
import { errorMessage } from '../errorMessage';

const LABELS: Record<ApplicationAction, { label: string; explain: string }> = {
  sync: { label: 'Sync…', explain: 'applies what git says to the cluster now' },
  refresh: { label: 'Refresh', explain: 'compares the application with git now' },
  'hard-refresh': { label: 'Hard refresh', explain: "regenerates the manifests, bypassing Argo CD's cache" },
  terminate: { label: 'Terminate', explain: 'stops the running sync operation' },
};

/**
 * Argo CD's controls for one application (through Argo CD, so its RBAC applies):
 * sync behind a dialog with its options, refresh and hard refresh, and terminate while
 * an operation runs; disabled with a reason without the sync permission.
 */
export function ApplicationControls(props: { application: ApplicationSummary; environment: { name: string; title: string }; onDone(): void }) {
  const { application, environment, onDone } = props;
  const { entity } = useEntity();
  const api = useApi(gitopsApiRef);
  const alertApi = useApi(alertApiRef);
  const { allowed, loading } = usePermission({ permission: gitopsApplicationSyncPermission, resourceRef: stringifyEntityRef(entity) });
  const [running, setRunning] = useState(false);
  const [syncing, setSyncing] = useState(false);
  const operationRunning = application.operation?.phase === 'Running';

  async function run(action: ApplicationAction, options: { prune?: boolean; dryRun?: boolean; revision?: string } = {}) {
    setRunning(true);
    try {
      await api.runApplicationAction(getCompoundEntityRef(entity), action, {
        environment: environment.name,
        instance: application.instance,
        application: application.name,
        ...options,
      });
      alertApi.post({ message: `${LABELS[action].label.replace('…', '')}: ${application.name} in ${environment.title}`, severity: 'success', display: 'transient' });
    } catch (error) {
      alertApi.post({ message: `${LABELS[action].label.replace('…', '')} failed: ${errorMessage(error)}`, severity: 'error' });
    } finally {
      setRunning(false);
      setSyncing(false);
      onDone();
    }
  }

  const actions: ApplicationAction[] = operationRunning ? ['terminate', 'refresh'] : ['sync', 'refresh', 'hard-refresh'];
  return (
    <>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 4, marginTop: 4 }}>
        {actions.map(action => (
          <Tooltip key={action} title={allowed ? LABELS[action].explain : 'You do not have permission to sync the applications of this entity'}>
            <span>
              <Button
                size="small"
                variant="outlined"
                color={action === 'terminate' ? 'secondary' : 'default'}
                disabled={!allowed || loading || running}
                onClick={() => (action === 'sync' ? setSyncing(true) : run(action))}
              >
                {LABELS[action].label}
              </Button>
            </span>
          </Tooltip>
        ))}
      </div>
      {syncing && <SyncDialog application={application} environment={environment} running={running} onSync={options => run('sync', options)} onClose={() => setSyncing(false)} />}
    </>
  );
}

function SyncDialog(props: {
  application: ApplicationSummary;
  environment: { title: string };
  running: boolean;
  onSync(options: { prune?: boolean; dryRun?: boolean; revision?: string }): void;
  onClose(): void;
}) {
  const { application, environment, running, onSync, onClose } = props;
  const [prune, setPrune] = useState(false);
  const [dryRun, setDryRun] = useState(false);
  const [revision, setRevision] = useState('');
  const gitRevision = application.source?.targetRevision ?? 'HEAD';
  return (
    <Dialog open onClose={onClose}>
      <DialogTitle>
        Sync {application.name} in {environment.title}?
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          Argo CD applies {revision || gitRevision} from {application.source?.repoURL ?? 'its repository'} to the cluster. A revision
          other than git&apos;s ({gitRevision}) is refused while a promotion to {environment.title} is under way.
        </DialogContentText>
        <FormControlLabel control={<Checkbox checked={prune} onChange={e => setPrune(e.target.checked)} />} label="Prune resources no longer in git" />
        <FormControlLabel control={<Checkbox checked={dryRun} onChange={e => setDryRun(e.target.checked)} />} label="Dry run (change nothing)" />
        <TextField id="sync-revision" label="Revision" placeholder={gitRevision} fullWidth margin="dense" value={revision} onChange={e => setRevision(e.target.value.trim())} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={running}
          onClick={() => onSync({ ...(prune ? { prune } : {}), ...(dryRun ? { dryRun } : {}), ...(revision ? { revision } : {}) })}
        >
          Sync
        </Button>
      </DialogActions>
    </Dialog>
  );
}
