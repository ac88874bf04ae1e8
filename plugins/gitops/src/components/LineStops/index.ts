export { LineStopBanner, type LineEnvironment } from './LineStopBanner';
