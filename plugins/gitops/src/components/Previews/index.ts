export { PreviewsSection } from './PreviewsSection';
