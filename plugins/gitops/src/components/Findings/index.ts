export { FindingsBadges } from './FindingsBadges';
export { FindingsDialog } from './FindingsDialog';
export { ImageSignatureBadges } from './ImageSignatureBadges';
