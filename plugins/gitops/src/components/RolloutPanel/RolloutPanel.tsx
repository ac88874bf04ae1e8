import { Box, Chip, LinearProgress, Typography, makeStyles } from '@material-ui/core';
import type { RolloutStep, RolloutSummary } from '@gitops-suite/backstage-plugin-gitops-common';
import { HealthStatusLabel } from '../StatusChips';
import { relativeTime, strategyLabel } from '../formatting';
import { AnalysisSummary } from './AnalysisSummary';
import { RolloutControls } from './RolloutControls';

const useStyles = makeStyles(theme => ({
  steps: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5), marginTop: theme.spacing(1) },
  weight: { height: 8, borderRadius: 4, marginTop: theme.spacing(0.5) },
}));

function stepLabel(step: RolloutStep): string {
  if (step.kind === 'setWeight') return `${step.value}%`;
  if (step.kind === 'pause') return step.value ? `pause ${step.value}` : 'pause';
  return step.kind;
}

/** Progress of one Argo Rollout: phase, step n/m, canary weight, pause reason, analysis. */
export function RolloutPanel(props: {
  rollout: RolloutSummary;
  environment: { name: string; title: string };
  onChange(): void;
}) {
  const { rollout, environment, onChange } = props;
  const classes = useStyles();
  const pause = rollout.pauseReasons[0];
  return (
    <Box mt={2} data-testid={`rollout-${rollout.name}`}>
      <Typography variant="subtitle2">
        Rollout {rollout.name} ({strategyLabel(rollout.strategy)})
      </Typography>
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <HealthStatusLabel status={rollout.phase} />
        {rollout.step && (
          <Typography variant="body2">
            step {rollout.step.index}/{rollout.step.count}
          </Typography>
        )}
        {rollout.aborted && <Chip size="small" color="secondary" label="aborted" />}
        {rollout.paused && (
          <Chip
            size="small"
            label={`paused${pause ? `: ${pause.reason}` : ''}${pause?.startTime ? ` (${relativeTime(pause.startTime)})` : ''}`}
          />
        )}
      </Box>
      {rollout.message && (
        <Typography variant="caption" color="textSecondary" component="p">
          {rollout.message}
        </Typography>
      )}
      {rollout.weights && (
        <Box mt={1}>
          <Typography variant="caption">
            canary {rollout.weights.canary}% / stable {rollout.weights.stable}%
          </Typography>{' '}
          <Typography variant="caption" color="textSecondary">
            {rollout.weights.source === 'traffic-router' ? '(as the traffic router reports)' : '(by replicas)'}
          </Typography>
          <LinearProgress
            className={classes.weight}
            variant="determinate"
            value={rollout.weights.canary}
            aria-label={`canary weight ${rollout.weights.canary}%`}
          />
        </Box>
      )}
      {rollout.steps.length > 0 && (
        <div className={classes.steps}>
          {rollout.steps.map((step, index) => (
            <Chip
              key={index}
              size="small"
              variant={index === rollout.step?.index ? 'default' : 'outlined'}
              color={index === rollout.step?.index ? 'primary' : 'default'}
              label={stepLabel(step)}
            />
          ))}
        </div>
      )}
      <RolloutControls rollout={rollout} environment={environment} onDone={onChange} />
      {rollout.analysis && <AnalysisSummary analysis={rollout.analysis} />}
    </Box>
  );
}
