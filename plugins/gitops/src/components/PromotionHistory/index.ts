export { PromotionHistoryCard } from './PromotionHistoryCard';
