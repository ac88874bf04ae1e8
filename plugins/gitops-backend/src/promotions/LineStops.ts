import type { BackstageCredentials, PermissionsService, UserInfoService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  gitopsLineStopPermission,
  type CreateLineStopRequest,
  type LineStop,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { LineStopStore } from '../database/LineStopStore';
import { approverOf } from './requester';

/** What a stop is asked about: a promotion, or a rollback (which config may let through). */
export type HeldChange = 'promotion' | 'rollback';

/**
 * Stopping the line: while a stop holds an environment (or `*`), no promotion into it
 * starts or is written, manual or automatic; rollbacks too unless
 * `gitops.lineStops.allowRollbacks`. Stopping and lifting need `gitops.line.stop` and
 * are done by people, recorded with who and why.
 */
export class LineStops {
  constructor(
    private readonly options: {
      config: GitopsConfig;
      store: LineStopStore;
      permissions: PermissionsService;
      userInfo: UserInfoService;
    },
  ) {}

  /** The stop that holds `change` into `environment` now, if any. */
  async holding(environment: string, change: HeldChange): Promise<LineStop | undefined> {
    if (change === 'rollback' && this.options.config.lineStops.allowRollbacks) return undefined;
    const active = await this.options.store.active();
    return active.find(s => s.environment === environment) ?? active.find(s => s.environment === '*');
  }

  /** Throws a 409 naming the stop when one holds `change` into `environment`. */
  async assertOpen(environment: string, change: HeldChange): Promise<void> {
    const stop = await this.holding(environment, change);
    if (stop) throw new ConflictError(heldMessage(stop, environment, change));
  }

  async list(): Promise<{ active: LineStop[]; recent: LineStop[] }> {
    const [active, recent] = await Promise.all([this.options.store.active(), this.options.store.recent()]);
    return { active, recent };
  }

  async stop(request: CreateLineStopRequest, credentials: BackstageCredentials): Promise<LineStop> {
    const { environment } = request;
    if (environment !== '*' && !this.options.config.environments.some(e => e.name === environment)) {
      throw new InputError(`environment: '${environment}' is not configured (use '*' for every environment)`);
    }
    const person = await this.authorize(credentials, 'stop the line');
    return this.options.store.stop({ environment, reason: request.reason.trim(), stoppedBy: person });
  }

  async lift(id: string, credentials: BackstageCredentials): Promise<LineStop> {
    const person = await this.authorize(credentials, 'lift a stop of the line');
    return this.options.store.lift(id, person);
  }

  /** The person doing it: a stop is a person's decision, never a service's. */
  private async authorize(credentials: BackstageCredentials, what: string): Promise<string> {
    const [decision] = await this.options.permissions.authorize([{ permission: gitopsLineStopPermission }], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) throw new NotAllowedError(`Not allowed to ${what}`);
    return (await approverOf(credentials, this.options.userInfo)).userEntityRef;
  }
}

/** Why a change is held, in the words the dialog and the promotion's events show. */
export function heldMessage(stop: LineStop, environment: string, change: HeldChange = 'promotion'): string {
  const scope = stop.environment === '*' ? 'every environment' : environment;
  return `The line into ${scope} is stopped by ${stop.stoppedBy} since ${stop.stoppedAt}: ${stop.reason} (no ${change} until it is lifted)`;
}
