import {
  hookFailsFor,
  type SyncHook,
  type SyncHookType,
} from '../findings/scenario';

/**
 * The hooks of one sync operation as Argo CD's gitops-engine runs them: the hooks of a
 * phase start together when the phase starts and run for their duration; a phase is
 * done when all its hooks are. Each reports itself as a `v1alpha1ResourceResult` with
 * `hookType`, `hookPhase` and `syncPhase` (and no `status`, which "is always zero-value
 * for hooks", the swagger says).
 */

export type HookPhase = 'Running' | 'Succeeded' | 'Failed';

interface HookRun {
  hook: SyncHook;
  startedAt?: number;
  phase?: HookPhase;
  message?: string;
}

/** What Kubernetes says of a Job that completed, or one past its backoff limit. */
const JOB_SUCCEEDED = 'Reached expected number of succeeded pods';
const JOB_FAILED = 'Job has reached the specified backoff limit';

export class HookRuns {
  private readonly runs: HookRun[];

  constructor(
    hooks: SyncHook[],
    /** The image the sync deploys (`repository:tag`): what decides a hook's outcome. */
    private readonly image: string,
    private readonly namespace: string,
    private readonly timeScale: number,
  ) {
    this.runs = hooks.map(hook => ({ hook }));
  }

  has(type: SyncHookType): boolean {
    return this.runs.some(run => run.hook.hook === type);
  }

  /** Starts the hooks of a phase (once). */
  start(type: SyncHookType, now: number): void {
    for (const run of this.of(type)) {
      if (run.startedAt !== undefined) continue;
      run.startedAt = now;
      run.phase = 'Running';
      // As kubectl words an apply: `job.batch/smoke-test created`.
      const group = objectGroup(run.hook);
      run.message = `${run.hook.kind.toLowerCase()}${
        group ? `.${group}` : ''
      }/${run.hook.name} created`;
    }
  }

  started(type: SyncHookType): boolean {
    return this.of(type).some(run => run.startedAt !== undefined);
  }

  /** Lets the started hooks of a phase finish once their time is up. */
  advance(type: SyncHookType, now: number): void {
    for (const run of this.of(type)) {
      if (
        run.phase !== 'Running' ||
        now < run.startedAt! + run.hook.durationSeconds * 1000 * this.timeScale
      )
        continue;
      const failed = hookFailsFor(run.hook, this.image);
      run.phase = failed ? 'Failed' : 'Succeeded';
      run.message = failed
        ? run.hook.message ?? JOB_FAILED
        : succeededMessage(run.hook);
    }
  }

  /** Whether every hook of the phase has finished (true for a phase without hooks). */
  done(type: SyncHookType): boolean {
    return this.of(type).every(
      run => run.phase === 'Succeeded' || run.phase === 'Failed',
    );
  }

  failed(type?: SyncHookType): boolean {
    return this.runs.some(
      run => (!type || run.hook.hook === type) && run.phase === 'Failed',
    );
  }

  /** Ends every running hook, as terminating the operation does. */
  terminate(): void {
    for (const run of this.runs) {
      if (run.phase === 'Running') {
        run.phase = 'Failed';
        run.message = 'Terminated';
      }
    }
  }

  /** gitops-engine's message while hooks of a phase run: the first and how many more. */
  waitingMessage(type: SyncHookType): string | undefined {
    const running = this.of(type).filter(run => run.phase === 'Running');
    if (!running.length) return undefined;
    const [first, ...more] = running;
    const name = `${objectGroup(first.hook)}/${first.hook.kind}/${
      first.hook.name
    }`;
    return `waiting for completion of hook ${name}${
      more.length ? ` and ${more.length} more hooks` : ''
    }`;
  }

  /** The started hooks as `syncResult.resources` entries. */
  results(): Array<Record<string, string>> {
    return this.runs
      .filter(run => run.startedAt !== undefined)
      .map(run => ({
        group: objectGroup(run.hook),
        version: 'v1',
        kind: run.hook.kind,
        namespace: this.namespace,
        name: run.hook.name,
        message: run.message!,
        hookType: run.hook.hook,
        hookPhase: run.phase!,
        syncPhase: run.hook.hook,
      }));
  }

  private of(type: SyncHookType): HookRun[] {
    return this.runs.filter(run => run.hook.hook === type);
  }
}

function objectGroup(hook: SyncHook): string {
  return hook.kind === 'Job' ? 'batch' : '';
}

function succeededMessage(hook: SyncHook): string {
  return hook.kind === 'Job' ? JOB_SUCCEEDED : 'Pod has completed';
}
