import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { usePermission } from '@backstage/plugin-permission-react';
import { Button } from '@material-ui/core';
import {
  gitopsPromotePermission,
  type EnvironmentDeployment,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { useCallback, useState, type ReactNode } from 'react';
import { PromotionDialog } from './PromotionDialog';

/**
 * Whether `from`'s version can be promoted to `to`: `to` promotes from `from`, `from`
 * runs a tagged version (or a chart), `to` has an application to change, and the
 * versions differ (the image tag, or the chart's version).
 */
export function isPromotable(from: EnvironmentDeployment, to: EnvironmentDeployment): boolean {
  return (
    to.promotesFrom === from.name &&
    Boolean(from.version?.tag || from.version?.chart) &&
    to.applications.length > 0 &&
    (from.version?.tag !== to.version?.tag || from.version?.chart?.version !== to.version?.chart?.version)
  );
}

/**
 * A promote button, rendered only when the promotion is possible and the user holds
 * the promote permission on the entity (the backend checks it again).
 */
export function PromoteButton(props: {
  entityRef: string;
  from: EnvironmentDeployment;
  to: EnvironmentDeployment;
  onPromote(): void;
  children: ReactNode;
}) {
  const { entityRef, from, to, onPromote, children } = props;
  const { allowed } = usePermission({ permission: gitopsPromotePermission, resourceRef: entityRef });
  if (!allowed || !isPromotable(from, to)) return null;
  return (
    <Button size="small" color="primary" variant="outlined" onClick={onPromote}>
      {children}
    </Button>
  );
}

/**
 * The promotion dialog state of a view of the entity's environments: `open(from, to)`
 * shows the PromotionDialog, `dialog` is the element to render.
 */
export function usePromotionDialog(entity: Entity, onChange: () => void) {
  const [promoting, setPromoting] = useState<{ from: EnvironmentDeployment; to: EnvironmentDeployment }>();
  const open = useCallback(
    (from: EnvironmentDeployment, to: EnvironmentDeployment) => setPromoting({ from, to }),
    [],
  );
  const dialog = promoting ? (
    <PromotionDialog
      entityRef={stringifyEntityRef(entity)}
      from={promoting.from}
      to={promoting.to}
      onClose={() => setPromoting(undefined)}
      onChange={onChange}
    />
  ) : null;
  return { open, dialog };
}
