import type { StoredPromotion } from '../database/PromotionStore';

/** An event the engine adds to a promotion's history, beside its transitions. */
export type EngineEvent = { type: string; message: string };

/** The type of every event that reports an error of the engine on a promotion. */
export const ENGINE_ERROR = 'engine-error';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A step that threw: recorded on the promotion, where the UI's history shows it, since
 * the person waiting on a promotion reads its history, not the backend's log.
 */
export function stepFailed(step: string, error: unknown): EngineEvent {
  return { type: ENGINE_ERROR, message: `Step ${step} failed, will retry: ${messageOf(error)}` };
}

/** Any other error of the engine on a promotion, `what` saying what it was doing. */
export function engineError(what: string, error: unknown): EngineEvent {
  return { type: ENGINE_ERROR, message: `${what}: ${messageOf(error)}` };
}

/**
 * Whether the promotion's newest event already says this: a step that fails the same
 * way on every run (every few seconds) says so once, not thousands of times.
 */
export function saysAlready(promotion: Pick<StoredPromotion, 'events'>, event: EngineEvent): boolean {
  const newest = promotion.events[promotion.events.length - 1];
  return newest?.type === event.type && newest.message === event.message;
}
