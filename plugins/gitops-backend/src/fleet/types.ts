export type {
  FleetEnvironmentStatus,
  FleetFilter,
  FleetItem,
  FleetResponse,
  FleetRisk,
} from '@gitops-suite/backstage-plugin-gitops-common';
