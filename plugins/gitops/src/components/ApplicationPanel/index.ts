export { ApplicationPanel } from './ApplicationPanel';
