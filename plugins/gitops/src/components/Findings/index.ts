export { FindingsBadges } from './FindingsBadges';
export { FindingsDialog } from './FindingsDialog';
