import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { getCompoundEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Radio,
  RadioGroup,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  gitopsGateOverridePermission,
  type EnvironmentDeployment,
  type Promotion,
  type RollbackCandidate,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { GatesFailedError, gitopsApiRef } from '../../api';
import { GateList } from '../GateList';
import { errorMessage } from '../errorMessage';
import { environmentVersion, isCommitSha, relativeTime, type VersionOfKind } from '../formatting';
import { VersionText } from '../VersionText';
import { PromotionProgress, usePromotionFollower } from '../PromotionDialog';

/**
 * Rolls an environment back to a version it ran before (from the GitOps repository's
 * history), as one commit followed to healthy like a promotion.
 */
export function RollbackDialog(props: {
  environment: Pick<EnvironmentDeployment, 'name' | 'title' | 'version'> & {
    applications?: EnvironmentDeployment['applications'];
  };
  onClose(): void;
  onChange(): void;
}) {
  const { environment, onClose, onChange } = props;
  const { entity } = useEntity();
  const api = useApi(gitopsApiRef);
  const candidates = useAsync(
    () => api.getRollbackCandidates(getCompoundEntityRef(entity), environment.name),
    [api, entity, environment.name],
  );
  const [tag, setTag] = useState<string>();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<Error>();
  const [rollback, setRollback] = useState<Promotion>();
  const [override, setOverride] = useState(false);
  const entityRef = stringifyEntityRef(entity);
  const { allowed: mayOverride } = usePermission({ permission: gitopsGateOverridePermission, resourceRef: entityRef });
  usePromotionFollower(rollback, setRollback, onChange);
  const chosen = candidates.value?.find(c => c.tag === tag);
  // A version that failed here before is refused unless overridden: say so before the click.
  const needsOverride = Boolean(chosen?.bad) || error instanceof GatesFailedError;

  function choose(next: string) {
    setTag(next);
    setOverride(false);
    setError(undefined);
  }

  async function submit() {
    setError(undefined);
    try {
      setRollback(
        await api.createRollback({
          entityRef,
          environment: environment.name,
          tag: tag!,
          comment: comment || undefined,
          ...(override ? { overrideGates: true } : {}),
        }),
      );
      onChange();
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Roll back {environment.title}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" gutterBottom>
          {environment.title} runs <VersionText version={environmentVersion(environment.version)} fallback="an unknown version" />. Choose a version it ran before; the
          change is one commit to the GitOps repository, followed until healthy.
        </Typography>
        {candidates.loading && <Progress />}
        {candidates.error && <ResponseErrorPanel error={candidates.error} />}
        {candidates.value?.length === 0 && <Alert severity="info">No earlier version in the repository history.</Alert>}
        {candidates.value && !rollback && (
          <RadioGroup value={tag ?? ''} onChange={e => choose(e.target.value)} aria-label="version">
            {candidates.value.map(candidate => (
              <FormControlLabel
                key={candidate.revision}
                value={candidate.tag}
                control={<Radio color="primary" />}
                label={
                  <>
                    <VersionText version={candidateVersion(candidate)} />
                    {`${candidate.bad ? ' (failed here before)' : ''} · ${relativeTime(candidate.committedAt)} · ${candidate.message}`}
                  </>
                }
              />
            ))}
          </RadioGroup>
        )}
        {!rollback && (
          <TextField id="rollback-comment" label="Why" fullWidth margin="normal" value={comment} onChange={e => setComment(e.target.value)} />
        )}
        {tag && !rollback && (
          <Typography variant="body2">
            {environment.title}: <VersionText version={environmentVersion(environment.version)} /> →{' '}
            <VersionText version={chosen && candidateVersion(chosen)} fallback={tag} />
          </Typography>
        )}
        {chosen?.bad && !rollback && (
          <Alert severity="warning">
            {chosen.tag} failed in {environment.title} before and was rolled back: going back to it is refused unless
            someone allowed to override gates says so.
          </Alert>
        )}
        {error instanceof GatesFailedError && (
          <>
            <Alert severity="error">{error.message}</Alert>
            <GateList gates={error.gates} />
          </>
        )}
        {error && !(error instanceof GatesFailedError) && <Alert severity="error">{errorMessage(error)}</Alert>}
        {needsOverride && mayOverride && !rollback && (
          <FormControlLabel
            control={<Checkbox checked={override} onChange={e => setOverride(e.target.checked)} />}
            label="Override the failed gates (recorded on the rollback)"
          />
        )}
        {rollback && <PromotionProgress promotion={rollback} />}
        {!rollback &&
          (environment.applications ?? [])
            .filter(app => app.autoSync === false && app.history.length > 1)
            .map(app => <ArgoCdRollback key={app.name} environment={environment.name} application={app} onDone={onChange} />)}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{rollback ? 'Close' : 'Cancel'}</Button>
        {!rollback && (
          <Button color="secondary" variant="contained" disabled={!tag || (needsOverride && !override)} onClick={submit}>
            Roll back
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}

/**
 * A candidate's version by its kind: the backend's when it tells (a later API), else a
 * commit (an environment branch's) is a git revision, anything else an image tag.
 */
function candidateVersion(candidate: RollbackCandidate & VersionOfKind): VersionOfKind {
  const kind = candidate.kind ?? (isCommitSha(candidate.tag) ? 'revision' : undefined);
  return { kind, tag: candidate.tag, chart: candidate.chart };
}

/**
 * Argo CD's own rollback of an application without automated sync: it changes what
 * runs, not git, so the next sync from git undoes it; offered apart, with that said.
 */
function ArgoCdRollback(props: {
  environment: string;
  application: EnvironmentDeployment['applications'][number];
  onDone(): void;
}) {
  const { environment, application, onDone } = props;
  const { entity } = useEntity();
  const api = useApi(gitopsApiRef);
  const [historyId, setHistoryId] = useState<number>();
  const [result, setResult] = useState<string>();
  async function run() {
    try {
      const done = await api.argoCdRollback(getCompoundEntityRef(entity), { environment, application: application.name, historyId: historyId! });
      setResult(`Argo CD rolled ${done.application} back to history #${done.historyId}`);
      onDone();
    } catch (e) {
      setResult(errorMessage(e));
    }
  }
  return (
    <div style={{ marginTop: 16 }}>
      <Typography variant="subtitle2">Argo CD rollback of {application.name} (live state only)</Typography>
      <Typography variant="caption" component="p">
        {application.name} does not sync automatically: Argo CD can run an earlier revision without a commit. Git still
        holds the current version, so the next sync brings it back.
      </Typography>
      <RadioGroup value={historyId ?? ''} onChange={e => setHistoryId(Number(e.target.value))} aria-label="Argo CD history">
        {application.history.slice(1).map(entry => (
          <FormControlLabel
            key={entry.id}
            value={entry.id}
            control={<Radio />}
            label={`#${entry.id} ${entry.revision?.slice(0, 7) ?? ''} · ${relativeTime(entry.deployedAt) ?? ''}`}
          />
        ))}
      </RadioGroup>
      <Button size="small" variant="outlined" disabled={historyId === undefined} onClick={run}>
        Roll back in Argo CD
      </Button>
      {result && <Typography variant="body2">{result}</Typography>}
    </div>
  );
}
