import { InfoCard } from '@backstage/core-components';
import { Box, Chip, Divider, Typography, makeStyles } from '@material-ui/core';
import type { EnvironmentDeployment } from '@gitops-suite/backstage-plugin-gitops-common';
import { ApplicationPanel } from '../ApplicationPanel';
import { EnvironmentVersion } from './EnvironmentVersion';
import { RolloutPanel, UnknownRolloutNotice } from '../RolloutPanel';
import { relativeTime, shortDigest, shortRevision } from '../formatting';
import { FindingsBadges, FindingsDialog, ImageSignatureBadges } from '../Findings';
import { RollbackDialog } from '../RollbackDialog';
import { Button } from '@material-ui/core';
import { useState } from 'react';

const useStyles = makeStyles(theme => ({
  version: { fontFamily: 'monospace', wordBreak: 'break-all' },
  row: { display: 'flex', alignItems: 'center', gap: theme.spacing(1), flexWrap: 'wrap' },
}));

/** One environment of the pipeline: version, sync, health, rollout, history. */
export function EnvironmentCard(props: {
  environment: EnvironmentDeployment;
  onChange(): void;
}) {
  const { environment, onChange } = props;
  const classes = useStyles();
  const [showFindings, setShowFindings] = useState(false);
  const [rollingBack, setRollingBack] = useState(false);
  const { version, applications } = environment;
  return (
    <InfoCard
      title={environment.title}
      subheader={environment.promotesFrom ? `promoted from ${environment.promotesFrom}` : 'first environment'}
    >
      <div data-testid={`environment-${environment.name}`}>
        {applications.length === 0 ? (
          <Typography color="textSecondary">Not deployed here</Typography>
        ) : (
          <>
            <Box className={classes.row}>
              <EnvironmentVersion version={version} />
              {environment.behindSource && (
                <Chip size="small" color="secondary" label={`behind ${environment.promotesFrom}`} />
              )}
            </Box>
            {version?.digest && (
              <Typography variant="caption" className={classes.version}>
                {shortDigest(version.digest)}
              </Typography>
            )}
            {version?.image && (
              <Typography variant="body2" color="textSecondary" className={classes.version}>
                {version.image}
              </Typography>
            )}
            {environment.lastDeployedAt && (
              <Typography variant="body2">
                deployed {relativeTime(environment.lastDeployedAt)}
              </Typography>
            )}
            <Box mt={1}>
              <FindingsBadges
                vulnerabilities={environment.vulnerabilities}
                policies={environment.policies}
                exposedSecrets={environment.exposedSecrets}
                configAudits={environment.configAudits}
                onOpen={() => setShowFindings(true)}
              />
            </Box>
            {environment.imageSignatures && (
              <Box mt={0.5}>
                <ImageSignatureBadges signatures={environment.imageSignatures} />
              </Box>
            )}
            {showFindings && (
              <FindingsDialog environment={environment} onClose={() => setShowFindings(false)} />
            )}
            {applications.map(app => (
              <ApplicationPanel key={`${app.instance}/${app.name}`} application={app} environment={environment} onChange={onChange} />
            ))}
            {environment.rollouts.map(rollout => (
              <RolloutPanel
                key={`${rollout.namespace}/${rollout.name}`}
                rollout={rollout}
                environment={environment}
                onChange={onChange}
              />
            ))}
            {environment.unknownRollouts?.map(rollout => (
              <Box key={`${rollout.namespace}/${rollout.name}`} mt={2}>
                <UnknownRolloutNotice rollout={rollout} />
              </Box>
            ))}
            <HistoryList environment={environment} />
            <Box mt={1}>
              <Button size="small" onClick={() => setRollingBack(true)}>
                Roll back…
              </Button>
            </Box>
            {rollingBack && (
              <RollbackDialog environment={environment} onClose={() => setRollingBack(false)} onChange={onChange} />
            )}
          </>
        )}
      </div>
    </InfoCard>
  );
}

function HistoryList({ environment }: { environment: EnvironmentDeployment }) {
  const entries = environment.applications.flatMap(app => app.history).slice(0, 5);
  if (!entries.length) return null;
  return (
    <Box mt={2}>
      <Divider />
      <Typography variant="subtitle2" style={{ marginTop: 8 }}>
        History
      </Typography>
      {entries.map(entry => (
        <Typography key={entry.id} variant="caption" component="p">
          #{entry.id} {shortRevision(entry.revision)} {relativeTime(entry.deployedAt)}
        </Typography>
      ))}
    </Box>
  );
}
