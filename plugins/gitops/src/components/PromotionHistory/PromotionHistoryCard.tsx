import { InfoCard, Table, type TableColumn } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import { Button, Tooltip, Typography } from '@material-ui/core';
import {
  gitopsApprovePermission,
  gitopsEntitySignalChannel,
  type Promotion,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { gitopsApiRef } from '../../api';
import { useLiveResource } from '../../hooks/useLiveResource';
import { useReloadOnChange } from '../../hooks/useReloadOnChange';
import { PromotionChangeLink } from '../PromotionChangeLink';
import { PromotionStatusLabel } from '../PromotionStatus';
import { formatVersion, relativeTime } from '../formatting';
import { VersionText } from '../VersionText';
import { errorMessage } from '../errorMessage';

/**
 * The entity's promotions: who, when, from -> to, version, status, approvals, commit.
 * Re-read when the backend signals that one of them moved, and when `refreshKey`
 * changes (the user just started one here, which must show before any signal).
 */
export function PromotionHistoryCard({ refreshKey }: { refreshKey?: unknown }) {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(gitopsApiRef);
  const alertApi = useApi(alertApiRef);
  const { allowed: mayApprove } = usePermission({ permission: gitopsApprovePermission, resourceRef: entityRef });
  const { value, loading, error, reload } = useLiveResource({
    key: entityRef,
    load: () => api.listPromotions({ entityRef }),
    channel: gitopsEntitySignalChannel(entityRef),
    kind: 'promotions',
  });
  useReloadOnChange(refreshKey, reload);

  async function decide(promotion: Promotion, decision: 'approve' | 'reject') {
    try {
      await api.decidePromotion(promotion.id, decision);
      alertApi.post({ message: `${decision === 'approve' ? 'Approved' : 'Rejected'} ${formatVersion(promotion.version)?.label ?? promotion.version.tag} to ${promotion.to}`, severity: 'success', display: 'transient' });
    } catch (e) {
      alertApi.post({ message: errorMessage(e), severity: 'error' });
    }
    reload();
  }

  const columns: TableColumn<Promotion>[] = [
    { title: 'When', render: p => relativeTime(p.createdAt) },
    {
      title: 'Promotion',
      render: p => (p.kind === 'rollback' ? `rollback of ${p.to}${p.rollbackOf ? ' (automatic)' : ''}` : `${p.from} → ${p.to}`),
    },
    { title: 'Version', render: p => <VersionChange promotion={p} /> },
    { title: 'Requested by', field: 'requestedBy' },
    // Wide enough for a failure's reason (a gate, a hook, an analysis metric) to be read.
    { title: 'Status', render: p => <StatusCell promotion={p} />, cellStyle: { minWidth: 260 } },
    {
      title: 'Approvals',
      render: p =>
        p.requiredApprovals
          ? `${p.approvals.filter(a => a.decision === 'approved').length}/${p.requiredApprovals} ${p.approvals.map(a => `${a.approver.replace(/^user:(default\/)?/, '')} ${a.decision}`).join(', ')}`
          : 'none needed',
    },
    {
      title: 'Change',
      render: p => <CommitCell promotion={p} />,
    },
    {
      title: '',
      render: p =>
        p.status === 'awaiting-approval' ? (
          <>
            <Button size="small" color="primary" disabled={!mayApprove} onClick={() => decide(p, 'approve')}>
              Approve
            </Button>
            <Button size="small" disabled={!mayApprove} onClick={() => decide(p, 'reject')}>
              Reject
            </Button>
          </>
        ) : null,
    },
  ];
  return (
    <InfoCard title="Promotions" noPadding>
      <Table<Promotion>
        options={{ paging: false, search: false, toolbar: false, padding: 'dense' }}
        isLoading={loading && !value}
        data={value ?? []}
        columns={columns}
        emptyContent={<div style={{ padding: 16 }}>{error ? error.message : 'No promotions yet.'}</div>}
      />
    </InfoCard>
  );
}

/** The version before and after, each by its kind (image tag, chart version, git revision). */
function VersionChange({ promotion }: { promotion: Promotion }) {
  return (
    <span data-testid="promotion-version">
      <VersionText version={promotion.previousVersion} fallback="–" /> → <VersionText version={promotion.version} />
    </span>
  );
}

function CommitCell({ promotion }: { promotion: Promotion }) {
  if (!promotion.commit && !promotion.pullRequestUrl) return null;
  return <PromotionChangeLink promotion={promotion} />;
}

/** The status, and why a promotion failed (a failed gate, hook or analysis metric, ...). */
function StatusCell({ promotion }: { promotion: Promotion }) {
  return (
    <>
      <PromotionStatusLabel status={promotion.status} />
      {promotion.failureReason && (
        <Tooltip title={promotion.failureReason}>
          <Typography
            variant="caption"
            color="textSecondary"
            component="p"
            data-testid="promotion-failure-reason"
            // Four lines in the table; the whole reason on hover (and in the promotion's dialog).
            style={{ display: '-webkit-box', WebkitLineClamp: 4, WebkitBoxOrient: 'vertical', overflow: 'hidden' }}
          >
            {promotion.failureReason}
          </Typography>
        </Tooltip>
      )}
    </>
  );
}
