import { useEffect, useRef } from 'react';

/**
 * Calls `reload` whenever `value` changes after the first render: the first render's
 * read is already under way, and a second one then would only duplicate it.
 */
export function useReloadOnChange(value: unknown, reload: () => void): void {
  const previous = useRef(value);
  useEffect(() => {
    if (Object.is(previous.current, value)) return;
    previous.current = value;
    reload();
  }, [value, reload]);
}
