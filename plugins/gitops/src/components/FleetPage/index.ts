export { FleetPage, FleetTable, FLEET_POLL_MS, FLEET_ROW_HEIGHT, type FleetApi } from './FleetPage';
export type {
  FleetEnvironmentStatus,
  FleetFilter,
  FleetItem,
  FleetResponse,
  FleetRisk,
} from './types';
