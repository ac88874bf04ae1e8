export { InsightsPanel } from './InsightsPanel';
export { FleetInsightsTable } from './FleetInsightsTable';
