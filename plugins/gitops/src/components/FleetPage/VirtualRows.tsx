import {
  useCallback,
  useLayoutEffect,
  useRef,
  useState,
  type CSSProperties,
  type ReactNode,
  type UIEvent,
} from 'react';

/**
 * Renders only the rows in view (plus `overscan` above and below) of a long list
 * of fixed-height rows, in a scroll container: 2,000 rows cost the DOM of a few
 * dozen. Scrolling re-renders only when the first visible row changes.
 */
export function VirtualRows<T>(props: {
  items: readonly T[];
  rowHeight: number;
  /** CSS height of the scroll container; its measured height decides how many rows show. */
  height: CSSProperties['height'];
  /** Used where the container cannot be measured (server render, jsdom). */
  fallbackHeight?: number;
  overscan?: number;
  /** Rendered above the rows, sticky at the top of the container. */
  header?: ReactNode;
  headerHeight?: number;
  /** Rows are at least this wide; the container scrolls sideways below it. */
  minWidth?: number;
  renderRow(item: T, index: number, style: CSSProperties): ReactNode;
  className?: string;
  'aria-label'?: string;
}) {
  const {
    items,
    rowHeight,
    height,
    fallbackHeight = 600,
    overscan = 8,
    header,
    headerHeight = 0,
    minWidth,
    renderRow,
  } = props;
  const container = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState(fallbackHeight);
  const [first, setFirst] = useState(0);

  useLayoutEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const measure = () => setViewport(element.clientHeight || fallbackHeight);
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [fallbackHeight]);

  const onScroll = useCallback(
    (event: UIEvent<HTMLDivElement>) => {
      const top = Math.max(0, event.currentTarget.scrollTop - headerHeight);
      setFirst(Math.floor(top / rowHeight));
    },
    [headerHeight, rowHeight],
  );

  // A shorter list (after filtering) must not leave the window past its end.
  const lastStart = Math.max(0, items.length - Math.ceil(viewport / rowHeight));
  const start = Math.max(0, Math.min(first, lastStart) - overscan);
  const end = Math.min(items.length, Math.min(first, lastStart) + Math.ceil(viewport / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let index = start; index < end; index++) {
    rows.push(
      renderRow(items[index], index, {
        position: 'absolute',
        top: 0,
        left: 0,
        right: 0,
        height: rowHeight,
        transform: `translateY(${index * rowHeight}px)`,
      }),
    );
  }

  return (
    <div
      ref={container}
      onScroll={onScroll}
      className={props.className}
      style={{ height, overflow: 'auto', position: 'relative' }}
      role="table"
      aria-label={props['aria-label']}
      aria-rowcount={items.length + (header ? 1 : 0)}
      data-testid="virtual-rows"
    >
      {header && (
        <div role="rowgroup" style={{ position: 'sticky', top: 0, zIndex: 1, minHeight: headerHeight, minWidth }}>
          {header}
        </div>
      )}
      <div role="rowgroup" style={{ position: 'relative', height: items.length * rowHeight, minWidth }}>
        {rows}
      </div>
    </div>
  );
}
