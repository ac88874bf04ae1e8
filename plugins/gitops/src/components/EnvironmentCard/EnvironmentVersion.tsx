import { Typography, makeStyles } from '@material-ui/core';
import type { EnvironmentDeployment } from '@gitops-suite/backstage-plugin-gitops-common';
import { environmentVersion } from '../formatting';
import { VersionText } from '../VersionText';

const useStyles = makeStyles({
  version: { fontFamily: 'monospace', wordBreak: 'break-all' },
});

/**
 * The version an environment runs, as its card's heading: the Helm chart (with the
 * image tag it runs beneath) or the image tag; else the image, else the git revision.
 */
export function EnvironmentVersion({ version }: { version: EnvironmentDeployment['version'] }) {
  const classes = useStyles();
  const fallback = version?.image ?? (
    <VersionText version={{ kind: 'revision', tag: version?.revision }} fallback="unknown version" />
  );
  return (
    <div data-testid="environment-version">
      <Typography variant="h5" className={classes.version}>
        <VersionText version={environmentVersion(version)} fallback={fallback} />
      </Typography>
      {version?.chart && version.tag && (
        <Typography variant="body2" className={classes.version} data-testid="environment-image-tag">
          image {version.tag}
        </Typography>
      )}
    </div>
  );
}
