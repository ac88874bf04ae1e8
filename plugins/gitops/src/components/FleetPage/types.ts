export type {
  FleetEnvironmentStatus,
  FleetFilter,
  FleetItem,
  FleetResponse,
  FleetRisk,
} from '@internal/backstage-plugin-gitops-common';
