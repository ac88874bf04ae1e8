import { Chip, Tooltip, makeStyles } from '@material-ui/core';
import type { ImageSignature } from '@gitops-suite/backstage-plugin-gitops-common';

const useStyles = makeStyles(theme => ({
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    alignItems: 'center',
  },
  verified: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  failed: {
    backgroundColor: theme.palette.error.dark,
    color: theme.palette.error.contrastText,
  },
  tooltip: { whiteSpace: 'pre-line' },
}));

const LABELS: Record<ImageSignature['status'], string> = {
  verified: 'image verified',
  failed: 'signature check failed',
  unknown: 'not verified',
};

/** `ghcr.io/example/payments-api:1.4.2` -> `payments-api:1.4.2`: what tells two images apart. */
function shortImage(image: string): string {
  return image.split('@')[0].split('/').pop() ?? image;
}

/**
 * Whether Kyverno verified each running image's signature (verifyImages): "image
 * verified", "signature check failed" or "not verified" (no result for it, or its
 * cluster could not be read), with the evidence in the tooltip. One chip per image,
 * named when the environment runs more than one.
 */
export function ImageSignatureBadges(props: { signatures?: ImageSignature[] }) {
  const { signatures } = props;
  const classes = useStyles();
  if (!signatures?.length) return null;
  const named = signatures.length > 1;
  return (
    <div className={classes.row} data-testid="image-signatures">
      {signatures.map(signature => (
        <Tooltip
          key={signature.image}
          classes={{ tooltip: classes.tooltip }}
          title={[
            signature.image,
            signature.message,
            signature.policy &&
              `Kyverno ${signature.policy}${
                signature.rule ? ` / ${signature.rule}` : ''
              }`,
          ]
            .filter(Boolean)
            .join('\n')}
        >
          <Chip
            size="small"
            variant={signature.status === 'unknown' ? 'outlined' : 'default'}
            className={
              signature.status === 'unknown'
                ? undefined
                : classes[signature.status]
            }
            data-status={signature.status}
            label={
              named
                ? `${shortImage(signature.image)}: ${LABELS[signature.status]}`
                : LABELS[signature.status]
            }
          />
        </Tooltip>
      ))}
    </div>
  );
}
