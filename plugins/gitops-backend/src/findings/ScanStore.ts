import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import { canonicalImage, imageKey } from '@gitops-suite/backstage-plugin-gitops-common';
import type { ImageVulnerability } from './types';

/** A CI scan of one image. */
export interface StoredScan {
  id: number;
  /** Canonical `registry/repository:tag`. */
  image: string;
  digest?: string;
  scannedAt: Date;
  findings: ImageVulnerability[];
  uploadedBy: string;
}

export type NewScan = Omit<StoredScan, 'id'>;

/** Persistence of uploaded CI scans. */
export interface ScanStore {
  addScan(scan: NewScan): Promise<StoredScan>;
  /** The newest scan of an image; one of its exact digest first when the reference has one. */
  latestScanFor(image: string): Promise<StoredScan | undefined>;
  /**
   * Deletes scans uploaded before `supersededBefore` that a newer scan of the same image
   * and digest replaces, and every scan uploaded before `expiredBefore`. Answers how
   * many went.
   */
  deleteExpired(cutoffs: { supersededBefore: Date; expiredBefore: Date }): Promise<number>;
}

type ScanRow = {
  id: number;
  image: string;
  digest: string | null;
  scanned_at: Date | string;
  findings: string;
  uploaded_by: string;
};

const MAX_IMAGE = 255;

/** Knex implementation, tested on SQLite and PostgreSQL. */
export class DatabaseScanStore implements ScanStore {
  constructor(private readonly db: Knex) {}

  async addScan(scan: NewScan): Promise<StoredScan> {
    // Canonical keys make `nginx:1.25` and `docker.io/library/nginx:1.25` one image.
    const image = imageKey(scan.image);
    if (image.length > MAX_IMAGE) {
      throw new InputError(
        `Image reference is longer than ${MAX_IMAGE} characters`,
      );
    }
    const row = {
      image,
      digest: scan.digest ?? canonicalImage(scan.image).digest ?? null,
      scanned_at: scan.scannedAt,
      findings: JSON.stringify(scan.findings),
      uploaded_by: scan.uploadedBy,
    };
    const [inserted] = await this.db('gitops_scans')
      .insert(row)
      .returning('id');
    const id = typeof inserted === 'object' ? inserted.id : inserted;
    return toScan({ id, ...row });
  }

  async deleteExpired(cutoffs: { supersededBefore: Date; expiredBefore: Date }): Promise<number> {
    const superseded = await this.db('gitops_scans')
      .where('scanned_at', '<', cutoffs.supersededBefore)
      .whereExists(
        // The newest scan of an image and digest stays: findings fall back to it for a
        // running image no operator has scanned, and deleting it would make that unknown.
        this.db('gitops_scans as newer')
          .select(this.db.raw('1'))
          .whereRaw('newer.image = gitops_scans.image')
          .whereRaw("coalesce(newer.digest, '') = coalesce(gitops_scans.digest, '')")
          .where(q =>
            q
              .whereRaw('newer.scanned_at > gitops_scans.scanned_at')
              .orWhere(r => r.whereRaw('newer.scanned_at = gitops_scans.scanned_at').whereRaw('newer.id > gitops_scans.id')),
          ),
      )
      .delete();
    // A scan that old is no evidence any more, newest or not: the image is unknown until CI scans it again.
    const expired = await this.db('gitops_scans').where('scanned_at', '<', cutoffs.expiredBefore).delete();
    return superseded + expired;
  }

  async latestScanFor(image: string): Promise<StoredScan | undefined> {
    const key = imageKey(image);
    const digest = canonicalImage(image).digest;
    const newest = (filter: Partial<ScanRow>) =>
      this.db<ScanRow>('gitops_scans')
        .where({ image: key, ...filter })
        .orderBy([
          { column: 'scanned_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .first();
    // A tag can be re-pushed: a scan of the very digest that runs is the better evidence.
    const row = (digest && (await newest({ digest }))) || (await newest({}));
    return row ? toScan(row) : undefined;
  }
}

function toScan(row: ScanRow): StoredScan {
  return {
    id: Number(row.id),
    image: row.image,
    digest: row.digest ?? undefined,
    scannedAt: new Date(row.scanned_at),
    findings: JSON.parse(row.findings),
    uploadedBy: row.uploaded_by,
  };
}
