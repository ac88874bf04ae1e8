import { Tooltip } from '@material-ui/core';
import type { ReactNode } from 'react';
import { formatVersion, type VersionOfKind } from './formatting';

/**
 * A version as `formatVersion` reads it, with the full value (a git revision's) in a
 * tooltip; `fallback` when there is none.
 */
export function VersionText(props: { version?: VersionOfKind; fallback?: ReactNode; className?: string }) {
  const { version, fallback = null, className } = props;
  const formatted = formatVersion(version);
  if (!formatted) return <>{fallback}</>;
  if (!formatted.title || formatted.title === formatted.label) {
    return className ? <span className={className}>{formatted.label}</span> : <>{formatted.label}</>;
  }
  return (
    <Tooltip title={formatted.title}>
      <span className={className}>{formatted.label}</span>
    </Tooltip>
  );
}
