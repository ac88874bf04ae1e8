export { PromotionDialog, PromotionProgress, usePromotionFollower } from './PromotionDialog';
