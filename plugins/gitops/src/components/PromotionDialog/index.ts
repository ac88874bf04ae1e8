export { PromotionDialog, PromotionProgress, usePromotionFollower } from './PromotionDialog';
export { PromoteButton, isPromotable, usePromotionDialog } from './PromoteAction';
