import { Box, Typography } from '@material-ui/core';
import type { AnalysisMetricSummary, RolloutAnalysis } from '@gitops-suite/backstage-plugin-gitops-common';
import { AnalysisPhaseLabel } from '../StatusChips';

/** The value Argo Rollouts keeps of a measurement, `[0.992]` or `0.992`, as a number's text. */
function valueLabel(value?: string): string | undefined {
  if (value === undefined) return undefined;
  const single = value.match(/^\[\s*([^,\]]+)\s*\]$/);
  return single ? single[1] : value;
}

/** Why a metric passes or fails: the condition it is judged by, and how many measurements failed. */
export function metricVerdict(metric: AnalysisMetricSummary): string {
  const conditions = [
    metric.successCondition && `success when ${metric.successCondition}`,
    metric.failureCondition && `failure when ${metric.failureCondition}`,
  ].filter(Boolean);
  const counts = `${metric.failed} of ${metric.count} measurements failed (limit ${metric.failureLimit})`;
  return [...conditions, counts].join('; ');
}

function MetricLine({ metric }: { metric: AnalysisMetricSummary }) {
  const value = valueLabel(metric.lastValue);
  return (
    <Box data-testid={`analysis-metric-${metric.name}`} display="flex" flexWrap="wrap" alignItems="baseline" style={{ gap: 8 }}>
      <Typography variant="body2">{metric.name}</Typography>
      <AnalysisPhaseLabel phase={metric.phase} />
      {value !== undefined && <Typography variant="body2">{value}</Typography>}
      <Typography variant="caption" color="textSecondary">
        {metricVerdict(metric)}
        {metric.message ? ` (${metric.message})` : ''}
      </Typography>
    </Box>
  );
}

/**
 * A Rollout's current analysis: the run's phase and message, and each metric's last
 * measurement and condition, so the person promoting sees why a step passed or the
 * rollout aborted. Metrics that could not be read say so instead of looking absent.
 */
export function AnalysisSummary({ analysis }: { analysis: RolloutAnalysis }) {
  return (
    <Box mt={1} data-testid="rollout-analysis">
      <Box display="flex" alignItems="baseline" style={{ gap: 8 }}>
        <Typography variant="caption">analysis {analysis.name}</Typography>
        <AnalysisPhaseLabel phase={analysis.status} />
        {analysis.message && (
          <Typography variant="caption" color="textSecondary">
            {analysis.message}
          </Typography>
        )}
      </Box>
      {analysis.error && (
        <Typography variant="caption" color="error" component="p">
          metrics unknown: {analysis.error}
        </Typography>
      )}
      {analysis.metrics?.map(metric => <MetricLine key={metric.name} metric={metric} />)}
    </Box>
  );
}
