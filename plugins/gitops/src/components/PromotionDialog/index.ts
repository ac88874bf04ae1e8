export { PromotionDialog, PromotionProgress } from './PromotionDialog';
