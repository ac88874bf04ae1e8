import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { PromotionStatus } from '@gitops-suite/backstage-plugin-gitops-common';

/** A promotion's state with the core-components status icon. */
export function PromotionStatusLabel({ status }: { status: PromotionStatus }) {
  switch (status) {
    case 'succeeded':
      return <StatusOK>succeeded</StatusOK>;
    case 'failed':
      return <StatusError>failed</StatusError>;
    case 'rejected':
      return <StatusError>rejected</StatusError>;
    case 'cancelled':
      return <StatusAborted>cancelled</StatusAborted>;
    case 'awaiting-approval':
      return <StatusWarning>awaiting approval</StatusWarning>;
    case 'pull-request-open':
      return <StatusWarning>pull request open</StatusWarning>;
    case 'approved':
      return <StatusPending>approved</StatusPending>;
    default:
      return <StatusRunning>{status}</StatusRunning>;
  }
}
