import { Link } from '@backstage/core-components';
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';
import type { SourceChanges } from '@gitops-suite/backstage-plugin-gitops-common';
import { relativeTime } from '../formatting';

/** The source commits a promotion ships, newest first, or why they are not known. */
export function SourceChangesList({ changes }: { changes: SourceChanges }) {
  if (changes.unavailable) {
    return (
      <Typography variant="body2" color="textSecondary">
        Commits not shown: {changes.unavailable}.
      </Typography>
    );
  }
  const range = `${changes.from} → ${changes.to}`;
  return (
    <div data-testid="source-changes">
      <Typography variant="body2">
        {changes.commits.length
          ? `${changes.commits.length}${changes.truncated ? '+' : ''} commit${changes.commits.length === 1 ? '' : 's'} in ${changes.repoURL} (${range})`
          : `No commits between ${range} in ${changes.repoURL}`}
        {changes.compareUrl && (
          <>
            {' · '}
            <Link to={changes.compareUrl}>compare</Link>
          </>
        )}
      </Typography>
      <List dense disablePadding style={{ maxHeight: 180, overflowY: 'auto' }}>
        {changes.commits.map(commit => (
          <ListItem key={commit.sha} disableGutters>
            <ListItemText
              primary={commit.message}
              secondary={`${commit.sha.slice(0, 7)} · ${commit.author} · ${relativeTime(commit.date)}`}
            />
          </ListItem>
        ))}
      </List>
    </div>
  );
}
