import { ConflictError, NotFoundError } from '@backstage/errors';
import type { LineStop } from '@gitops-suite/backstage-plugin-gitops-common';
import crypto from 'crypto';
import type { Knex } from 'knex';

type LineStopRow = {
  id: string;
  environment: string;
  reason: string;
  stopped_by: string;
  stopped_at: Date | string;
  lifted_by: string | null;
  lifted_at: Date | string | null;
};

const TABLE = 'gitops_line_stops';

/** Stops of the line, active and lifted (the audit trail). */
export class LineStopStore {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly db: Knex) {}

  /** Called after every stop and lift made through this store (for the browser signals). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed() {
    this.listeners.forEach(listener => listener());
  }

  /** Stops the line into `environment` (or `*`); one active stop per environment. */
  async stop(stop: { environment: string; reason: string; stoppedBy: string }, now = new Date()): Promise<LineStop> {
    const id = crypto.randomUUID();
    await this.db.transaction(async tx => {
      const active = await tx<LineStopRow>(TABLE).where({ environment: stop.environment }).whereNull('lifted_at').first();
      if (active) {
        throw new ConflictError(`environment: the line into ${describe(stop.environment)} is stopped already (by ${active.stopped_by}: ${active.reason})`);
      }
      await tx<LineStopRow>(TABLE).insert({
        id,
        environment: stop.environment,
        reason: stop.reason,
        stopped_by: stop.stoppedBy,
        stopped_at: now,
      });
    });
    this.changed();
    return (await this.get(id))!;
  }

  /** Lifts an active stop; a stop lifted already is a conflict, an unknown one a 404. */
  async lift(id: string, liftedBy: string, now = new Date()): Promise<LineStop> {
    const lifted = await this.db<LineStopRow>(TABLE).where({ id }).whereNull('lifted_at').update({ lifted_by: liftedBy, lifted_at: now });
    if (!lifted) {
      const stop = await this.get(id);
      if (!stop) throw new NotFoundError(`No line stop ${id}`);
      throw new ConflictError(`Line stop ${id} was lifted already by ${stop.liftedBy}`);
    }
    this.changed();
    return (await this.get(id))!;
  }

  async get(id: string): Promise<LineStop | undefined> {
    const row = await this.db<LineStopRow>(TABLE).where({ id }).first();
    return row && toLineStop(row);
  }

  /** The stops that hold now. */
  async active(): Promise<LineStop[]> {
    const rows = await this.db<LineStopRow>(TABLE).whereNull('lifted_at').orderBy('stopped_at', 'asc');
    return rows.map(toLineStop);
  }

  /** The latest stops, lifted ones included, newest first. */
  async recent(limit = 20): Promise<LineStop[]> {
    const rows = await this.db<LineStopRow>(TABLE).orderBy('stopped_at', 'desc').limit(limit);
    return rows.map(toLineStop);
  }
}

function describe(environment: string) {
  return environment === '*' ? 'every environment' : environment;
}

function toLineStop(row: LineStopRow): LineStop {
  return {
    id: row.id,
    environment: row.environment,
    reason: row.reason,
    stoppedBy: row.stopped_by,
    stoppedAt: new Date(row.stopped_at).toISOString(),
    ...(row.lifted_at ? { liftedBy: row.lifted_by ?? undefined, liftedAt: new Date(row.lifted_at).toISOString() } : {}),
  };
}
