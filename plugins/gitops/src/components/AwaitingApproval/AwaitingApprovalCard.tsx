import { InfoCard, Link, Table, type TableColumn } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Button } from '@material-ui/core';
import type { Promotion } from '@gitops-suite/backstage-plugin-gitops-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../../api';
import { errorMessage } from '../errorMessage';
import { relativeTime } from '../formatting';

/** Promotions across the catalog that the signed-in user may approve, with approve/reject. */
export function AwaitingApprovalCard() {
  const api = useApi(gitopsApiRef);
  const alertApi = useApi(alertApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listPromotions({ awaitingMyApproval: true }),
    [api],
  );

  async function decide(promotion: Promotion, decision: 'approve' | 'reject') {
    try {
      await api.decidePromotion(promotion.id, decision);
    } catch (e) {
      alertApi.post({ message: errorMessage(e), severity: 'error' });
    }
    retry();
  }

  const columns: TableColumn<Promotion>[] = [
    {
      title: 'Service',
      render: p => {
        const ref = parseEntityRef(p.entityRef);
        return <Link to={`/catalog/${ref.namespace}/${ref.kind}/${ref.name}/deployments`}>{ref.name}</Link>;
      },
    },
    { title: 'Promotion', render: p => `${p.version.tag}: ${p.from} → ${p.to}` },
    { title: 'Requested', render: p => `${relativeTime(p.createdAt)} by ${p.requestedBy.replace(/^user:(default\/)?/, '')}` },
    { title: 'Comment', field: 'comment' },
    {
      title: '',
      render: p => (
        <>
          <Button size="small" color="primary" onClick={() => decide(p, 'approve')}>
            Approve
          </Button>
          <Button size="small" onClick={() => decide(p, 'reject')}>
            Reject
          </Button>
        </>
      ),
    },
  ];
  if (!loading && !error && !value?.length) return null;
  return (
    <InfoCard title="Awaiting your approval" noPadding>
      <Table<Promotion>
        options={{ paging: false, search: false, toolbar: false, padding: 'dense' }}
        isLoading={loading && !value}
        data={value ?? []}
        columns={columns}
        emptyContent={<div style={{ padding: 16 }}>{error ? errorMessage(error) : 'Nothing to approve.'}</div>}
      />
    </InfoCard>
  );
}
