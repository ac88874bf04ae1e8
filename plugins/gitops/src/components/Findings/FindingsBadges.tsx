import { Chip, Tooltip, makeStyles } from '@material-ui/core';
import type {
  ConfigAuditSummary,
  ExposedSecretSummary,
  PolicySummary,
  SeverityCounts,
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

/** The most severe level with a count, for the badge's colour. */
function worst(counts: SeverityCounts) {
  return SEVERITIES.find(severity => counts[severity] > 0);
}

function total(counts: SeverityCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/**
 * Findings counts of one environment: vulnerability severities (fixable apart), policy
 * results, exposed secrets and failing configuration checks. Each opens the findings
 * (`onOpen`); without it (a preview, which has no findings view) they are plain counts.
 */
export function FindingsBadges(props: {
  vulnerabilities?: VulnerabilitySummary;
  policies?: PolicySummary;
  exposedSecrets?: ExposedSecretSummary;
  configAudits?: ConfigAuditSummary;
  onOpen?(): void;
}) {
  const { vulnerabilities, policies, exposedSecrets, configAudits, onOpen } = props;
  const classes = useStyles();
  const clickable = Boolean(onOpen);
  if (!vulnerabilities && !policies && !exposedSecrets && !configAudits) return null;
  const severityClass = (counts: SeverityCounts) => {
    const level = worst(counts);
    return level ? classes[level] : undefined;
  };
  return (
    <div className={classes.row} data-testid="findings-badges">
      {vulnerabilities &&
        SEVERITIES.map(severity => (
          <Tooltip key={severity} title={`${vulnerabilities.counts[severity]} ${severity}, ${vulnerabilities.fixable[severity]} with a fix`}>
            <Chip
              size="small"
              clickable={clickable}
              onClick={onOpen}
              className={vulnerabilities.counts[severity] ? classes[severity] : undefined}
              label={`${vulnerabilities.counts[severity]} ${severity}${vulnerabilities.fixable[severity] ? ` (${vulnerabilities.fixable[severity]} fixable)` : ''}`}
            />
          </Tooltip>
        ))}
      {exposedSecrets && (
        <Tooltip title="Secrets Trivy Operator found in the running images">
          <Chip
            size="small"
            clickable={clickable}
            onClick={onOpen}
            // Any secret in an image is a problem, whatever its severity.
            className={exposedSecrets.total ? classes.critical : undefined}
            label={`${exposedSecrets.total} exposed secret${exposedSecrets.total === 1 ? '' : 's'}`}
          />
        </Tooltip>
      )}
      {configAudits && (
        <Tooltip title={`Trivy Operator configuration checks: ${configAudits.passed} passing`}>
          <Chip
            size="small"
            clickable={clickable}
            onClick={onOpen}
            variant="outlined"
            className={severityClass(configAudits.failed)}
            label={`config: ${total(configAudits.failed)} failing`}
          />
        </Tooltip>
      )}
      {policies && (
        <Chip
          size="small"
          clickable={clickable}
          onClick={onOpen}
          variant="outlined"
          label={`policies: ${policies.pass} pass, ${policies.fail} fail${policies.warn ? `, ${policies.warn} warn` : ''}${policies.error ? `, ${policies.error} error` : ''}`}
        />
      )}
    </div>
  );
}
