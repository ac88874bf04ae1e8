import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  gitopsGateOverridePermission,
  isTerminalPromotionStatus,
  type ApplicationSummary,
  type Promotion,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { GatesFailedError, gitopsApiRef } from '../../api';
import { GateList } from '../GateList';
import { SourceChangesList } from './SourceChangesList';
import { WritePlan } from './WritePlan';
import { BranchDiffView } from './BranchDiffView';
import { VersionText } from '../VersionText';
import { formatVersion } from '../formatting';
import { PromotionChangeLink } from '../PromotionChangeLink';
import { PromotionStatusLabel } from '../PromotionStatus';
import { errorMessage } from '../errorMessage';

export interface PromotionDialogProps {
  entityRef: string;
  from: { name: string; title: string };
  /** With its applications, the write plan names the ApplicationSet that generates them. */
  to: { name: string; title: string; applications?: Pick<ApplicationSummary, 'applicationSet'>[] };
  onClose(): void;
  onChange(): void;
}

/**
 * Promotes the version running in `from` to `to`: shows the version change (by its
 * kind: image tag, chart version or git revision), where and how it is written (for an
 * environment branch, the files the merge carries and any conflict), the source commits
 * it ships (where the source repository is known), each gate
 * with its evidence and the approvals needed, then follows the promotion live.
 */
export function PromotionDialog(props: PromotionDialogProps) {
  const { entityRef, from, to, onClose, onChange } = props;
  const api = useApi(gitopsApiRef);
  const request = { entityRef, from: from.name, to: to.name };
  const preview = useAsync(() => api.previewPromotion(request), [entityRef, from.name, to.name]);
  const { allowed: mayOverride } = usePermission({ permission: gitopsGateOverridePermission, resourceRef: entityRef });
  const [comment, setComment] = useState('');
  const [override, setOverride] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error>();
  const [promotion, setPromotion] = useState<Promotion>();

  usePromotionFollower(promotion, setPromotion, onChange);

  async function submit() {
    setSubmitting(true);
    setError(undefined);
    try {
      setPromotion(await api.createPromotion({ ...request, comment: comment || undefined, overrideGates: override || undefined }));
      onChange();
    } catch (e) {
      setError(e as Error);
    } finally {
      setSubmitting(false);
    }
  }

  const value = preview.value;
  const gatesFail = value?.gates.some(g => !g.passed) ?? false;
  // The backend blocks a conflicting merge too (blockedBy); never offer it.
  const conflicts = Boolean(value?.diff?.conflicts.length);
  const gates = error instanceof GatesFailedError ? error.gates : promotion?.gates ?? value?.gates ?? [];
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>
        Promote {formatVersion(value?.version)?.label ?? ''} from {from.title} to {to.title}
      </DialogTitle>
      <DialogContent>
        {preview.loading && <Progress />}
        {preview.error && <ResponseErrorPanel error={preview.error} />}
        {value && (
          <>
            <Typography variant="body1" gutterBottom data-testid="version-change">
              {to.title}: <VersionText version={value.previousVersion} fallback="nothing" /> →{' '}
              <VersionText version={value.version} fallback="nothing" />
            </Typography>
            {value.version?.image && (
              <Typography variant="caption" component="p" gutterBottom>
                {value.version.image}
                {value.version.revision && ` (GitOps revision ${value.version.revision.slice(0, 7)} in ${from.name})`}
              </Typography>
            )}
            {value.write && <WritePlan write={value.write} applicationSet={to.applications?.find(a => a.applicationSet)?.applicationSet} />}
            {value.diff && <BranchDiffView diff={value.diff} />}
            {value.changes && <SourceChangesList changes={value.changes} />}
            {value.blockedBy && !promotion && <Alert severity="info">{value.blockedBy}</Alert>}
            <Typography variant="subtitle2" style={{ marginTop: 16 }}>
              Gates
            </Typography>
            {gates.length ? <GateList gates={gates} /> : <Typography variant="body2">No gates for {to.title}.</Typography>}
            <Typography variant="body2" style={{ marginTop: 8 }}>
              {value.requiredApprovals
                ? `Needs ${value.requiredApprovals} approval${value.requiredApprovals > 1 ? 's' : ''}${value.approverGroups.length ? ` from ${value.approverGroups.join(', ')}` : ''} (not yours).`
                : 'No approval needed.'}
            </Typography>
            {!promotion && (
              <>
                <TextField
                  id="promotion-comment"
                  label="Comment"
                  fullWidth
                  multiline
                  margin="normal"
                  value={comment}
                  onChange={e => setComment(e.target.value)}
                />
                {gatesFail && mayOverride && (
                  <FormControlLabel
                    control={<Checkbox checked={override} onChange={e => setOverride(e.target.checked)} />}
                    label="Override the failed gates (recorded on the promotion)"
                  />
                )}
              </>
            )}
            {error && !(error instanceof GatesFailedError) && <Alert severity="error">{errorMessage(error)}</Alert>}
            {error instanceof GatesFailedError && <Alert severity="error">{error.message}</Alert>}
            {promotion && <PromotionProgress promotion={promotion} />}
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{promotion ? 'Close' : 'Cancel'}</Button>
        {!promotion && (
          <Button
            color="primary"
            variant="contained"
            disabled={!value || Boolean(value.blockedBy) || conflicts || submitting || (gatesFail && !override)}
            onClick={submit}
          >
            Promote
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}

/** Re-reads the promotion every 2 s until it ends. */
export function usePromotionFollower(
  promotion: Promotion | undefined,
  setPromotion: (p: Promotion) => void,
  onChange: () => void,
) {
  const api = useApi(gitopsApiRef);
  useEffect(() => {
    if (!promotion || isTerminalPromotionStatus(promotion.status)) return undefined;
    const timer = setTimeout(async () => {
      const next = await api.getPromotion(promotion.id).catch(() => promotion);
      if (next.status !== promotion.status) onChange();
      setPromotion(next);
    }, 2000);
    return () => clearTimeout(timer);
  }, [api, promotion, setPromotion, onChange]);
}

/** The promotion's state, its latest events and its commit. */
export function PromotionProgress({ promotion }: { promotion: Promotion }) {
  return (
    <div style={{ marginTop: 16 }} data-testid="promotion-progress">
      <PromotionStatusLabel status={promotion.status} />
      {(promotion.commit || promotion.pullRequestUrl) && (
        <Typography variant="body2">
          <PromotionChangeLink promotion={promotion} />
          {promotion.commit && ` in ${promotion.commit.path}`}
        </Typography>
      )}
      {promotion.failureReason && <Alert severity="error">{promotion.failureReason}</Alert>}
      {promotion.events.slice(-4).map((event, index) => (
        <Typography key={index} variant="caption" component="p">
          {new Date(event.at).toLocaleTimeString()} {event.message}
        </Typography>
      ))}
    </div>
  );
}
