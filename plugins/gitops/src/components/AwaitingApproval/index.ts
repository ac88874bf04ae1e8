export { AwaitingApprovalCard } from './AwaitingApprovalCard';
