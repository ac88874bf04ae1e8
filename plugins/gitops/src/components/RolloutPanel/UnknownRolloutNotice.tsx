import { Alert, AlertTitle } from '@material-ui/lab';
import type { UnknownRollout } from '@gitops-suite/backstage-plugin-gitops-common';

/**
 * A managed Rollout whose live state could not be read. Shown as a warning, never left
 * out: an absent line would read as "no rollout" and a quiet one as "rollout complete".
 */
export function UnknownRolloutNotice({ rollout }: { rollout: UnknownRollout }) {
  const { namespace, name, application, message } = rollout;
  return (
    // role "status", not Alert's default "alert": it is a standing state, re-rendered on
    // every read, not an event to interrupt a screen reader for.
    <Alert severity="warning" role="status" data-testid={`unknown-rollout-${namespace}/${name}`}>
      <AlertTitle>
        Rollout {namespace}/{name}: state unknown
      </AlertTitle>
      {message} (application {application})
    </Alert>
  );
}
