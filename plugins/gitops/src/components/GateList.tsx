import { StatusError, StatusOK, StatusWarning } from '@backstage/core-components';
import { List, ListItem, ListItemText } from '@material-ui/core';
import type { GateResult } from '@gitops-suite/backstage-plugin-gitops-common';

/** Each gate with pass/fail and the evidence it looked at. */
export function GateList({ gates }: { gates: GateResult[] }) {
  if (!gates.length) return null;
  return (
    <List dense disablePadding>
      {gates.map(gate => (
        <ListItem key={gate.gate} disableGutters data-testid={`gate-${gate.gate}`}>
          <ListItemText
            primary={<GateStatus gate={gate} />}
            secondary={gate.evidence}
          />
        </ListItem>
      ))}
    </List>
  );
}

function GateStatus({ gate }: { gate: GateResult }) {
  if (gate.passed) return <StatusOK>{gate.gate}</StatusOK>;
  if (gate.overridden) return <StatusWarning>{gate.gate} (overridden)</StatusWarning>;
  return <StatusError>{gate.gate}</StatusError>;
}
