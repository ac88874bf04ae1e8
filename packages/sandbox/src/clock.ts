/** The simulation's time source: wall-clock time when serving, a manual clock in tests. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to, so tests walk through timed states without sleeping. */
export class ManualClock implements Clock {
  // Starts on a whole second: Kubernetes timestamps have second precision, and a
  // pause measured from a truncated startTime would otherwise end early.
  private current = Math.floor(Date.now() / 1000) * 1000;

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** Kubernetes and Argo CD timestamps are RFC 3339 in UTC with second precision. */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000)
    .toISOString()
    .replace('.000Z', 'Z');
}
