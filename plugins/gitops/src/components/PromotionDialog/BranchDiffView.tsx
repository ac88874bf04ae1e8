import { Box, Button, Collapse, Typography, makeStyles } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { BranchDiff } from '@gitops-suite/backstage-plugin-gitops-common';
import { useState } from 'react';
import { shortRevision } from '../formatting';

const useStyles = makeStyles(theme => ({
  file: { display: 'flex', gap: theme.spacing(1), fontFamily: 'monospace', fontSize: '0.8rem' },
  path: { flex: 1, minWidth: 0, wordBreak: 'break-all' },
  additions: { color: theme.palette.success.main },
  deletions: { color: theme.palette.error.main },
  patch: {
    fontFamily: 'monospace',
    fontSize: '0.75rem',
    whiteSpace: 'pre',
    overflow: 'auto',
    maxHeight: 320,
    margin: 0,
    padding: theme.spacing(1),
    backgroundColor: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
  },
}));

/**
 * What merging an environment branch carries: each file with its +/− counts, the patch
 * (collapsed), a note when the backend truncated it, and the files a merge would conflict in.
 */
export function BranchDiffView({ diff }: { diff: BranchDiff }) {
  const classes = useStyles();
  const [open, setOpen] = useState(false);
  const { files } = diff;
  return (
    <Box mt={1} data-testid="promotion-branch-diff">
      {diff.conflicts.length > 0 && (
        <Alert severity="error" data-testid="promotion-branch-conflicts">
          A merge would conflict in:
          <ul style={{ margin: 0, paddingLeft: 20 }}>
            {diff.conflicts.map(path => (
              <li key={path}>{path}</li>
            ))}
          </ul>
        </Alert>
      )}
      <Typography variant="body2">
        {files.length
          ? `${files.length} file${files.length === 1 ? '' : 's'} changed (${shortRevision(diff.from)} → ${shortRevision(diff.to)})`
          : `No file changes between ${shortRevision(diff.from)} and ${shortRevision(diff.to)}`}
      </Typography>
      {files.map(file => (
        <div key={file.path} className={classes.file} data-testid="promotion-branch-diff-file">
          <span className={classes.path}>{file.path}</span>
          <span>{file.status}</span>
          <span className={classes.additions}>+{file.additions}</span>
          <span className={classes.deletions}>−{file.deletions}</span>
        </div>
      ))}
      {diff.truncated && (
        <Typography variant="caption" component="p" color="textSecondary" data-testid="promotion-branch-diff-truncated">
          The diff is truncated: not every change is shown.
        </Typography>
      )}
      {diff.patch && (
        <>
          <Button size="small" onClick={() => setOpen(o => !o)} aria-expanded={open}>
            {open ? 'Hide patch' : 'Show patch'}
          </Button>
          <Collapse in={open} unmountOnExit>
            <pre className={classes.patch} data-testid="promotion-branch-diff-patch">
              {diff.patch}
            </pre>
          </Collapse>
        </>
      )}
    </Box>
  );
}
