import { Chip, Tooltip, makeStyles } from '@material-ui/core';
import type {
  PolicySummary,
  VulnerabilitySummary,
} from '@gitops-suite/backstage-plugin-gitops-common';

const useStyles = makeStyles(theme => ({
  row: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5), alignItems: 'center' },
  critical: { backgroundColor: theme.palette.error.dark, color: theme.palette.error.contrastText },
  high: { backgroundColor: theme.palette.error.main, color: theme.palette.error.contrastText },
  medium: { backgroundColor: theme.palette.warning.main, color: theme.palette.warning.contrastText },
  low: {},
}));

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** Severity badges (fixable counts apart) and policy result counts of one environment. */
export function FindingsBadges(props: {
  vulnerabilities?: VulnerabilitySummary;
  policies?: PolicySummary;
  onOpen(): void;
}) {
  const { vulnerabilities, policies, onOpen } = props;
  const classes = useStyles();
  if (!vulnerabilities && !policies) return null;
  return (
    <div className={classes.row} data-testid="findings-badges">
      {vulnerabilities &&
        SEVERITIES.map(severity => (
          <Tooltip key={severity} title={`${vulnerabilities.counts[severity]} ${severity}, ${vulnerabilities.fixable[severity]} with a fix`}>
            <Chip
              size="small"
              clickable
              onClick={onOpen}
              className={vulnerabilities.counts[severity] ? classes[severity] : undefined}
              label={`${vulnerabilities.counts[severity]} ${severity}${vulnerabilities.fixable[severity] ? ` (${vulnerabilities.fixable[severity]} fixable)` : ''}`}
            />
          </Tooltip>
        ))}
      {policies && (
        <Chip
          size="small"
          clickable
          onClick={onOpen}
          variant="outlined"
          label={`policies: ${policies.pass} pass, ${policies.fail} fail${policies.warn ? `, ${policies.warn} warn` : ''}${policies.error ? `, ${policies.error} error` : ''}`}
        />
      )}
    </div>
  );
}
