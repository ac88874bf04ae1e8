import { InputError } from '@backstage/errors';
import { z } from 'zod';
import type { ImageVulnerability } from './types';
import { normalizeSeverity, vulnerabilityKey } from './vulnerabilities';

/** A `trivy image -f json` report, reduced to what findings need. */
export interface TrivyImageScan {
  /** What was scanned: the first of `Metadata.RepoTags`, else `ArtifactName`. */
  image: string;
  /** From `Metadata.RepoDigests` (`repo@sha256:...`), when the image came from a registry. */
  digest?: string;
  findings: ImageVulnerability[];
}

// Only the fields read are declared; Trivy adds fields often and they pass through.
const vulnerabilitySchema = z.object({
  VulnerabilityID: z.string().min(1),
  PkgName: z.string(),
  InstalledVersion: z.string(),
  FixedVersion: z.string().optional(),
  Severity: z.string(),
  Title: z.string().optional(),
  PrimaryURL: z.string().optional(),
  Status: z.string().optional(),
  // CVSS per vendor (nvd, redhat, ghsa...): the highest V3 score is kept.
  CVSS: z.record(z.object({ V3Score: z.number().optional() }).passthrough()).optional(),
});

// The image a scan is stored under: one token, as `trivy image` names it (a reference
// or an archive path), never text with spaces or line breaks.
const imageName = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^\S+$/, 'must be an image reference, without spaces or line breaks');

const reportSchema = z.object({
  SchemaVersion: z.literal(2),
  ArtifactName: imageName,
  Metadata: z
    .object({
      RepoTags: z.array(imageName).nullish(),
      RepoDigests: z.array(imageName).nullish(),
    })
    .optional(),
  // Trivy writes `null` for a clean target and may omit Results for a clean image.
  Results: z
    .array(
      z.object({
        Target: z.string().optional(),
        Vulnerabilities: z.array(vulnerabilitySchema).nullish(),
      }),
    )
    .nullish(),
});

/**
 * Parses the JSON output of `trivy image -f json` (SchemaVersion 2), as uploaded
 * from CI, into findings. Throws an InputError naming the offending field.
 */
export function parseTrivyJson(input: unknown): TrivyImageScan {
  const json = typeof input === 'string' ? parseJson(input) : input;
  const version = (json as { SchemaVersion?: unknown } | null)?.SchemaVersion;
  if (version !== 2) {
    throw new InputError(
      `Unsupported Trivy report: SchemaVersion must be 2 (trivy image -f json), got ${
        JSON.stringify(version) ?? 'none'
      }`,
    );
  }
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `Invalid Trivy report: ${formatPath(issue.path)}: ${issue.message}`,
    );
  }
  const report = parsed.data;
  const repoDigest = report.Metadata?.RepoDigests?.[0];
  return {
    image: report.Metadata?.RepoTags?.[0] ?? report.ArtifactName,
    digest: repoDigest?.includes('@') ? repoDigest.split('@')[1] : undefined,
    findings: dedupe(
      (report.Results ?? []).flatMap(result =>
        (result.Vulnerabilities ?? []).map(v => ({
          id: v.VulnerabilityID,
          severity: normalizeSeverity(v.Severity),
          package: v.PkgName,
          installed: v.InstalledVersion,
          fixed: v.FixedVersion || undefined,
          title: v.Title || undefined,
          link: v.PrimaryURL || undefined,
          score: highestScore(v.CVSS),
        })),
      ),
    ),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `Invalid Trivy report: not JSON (${(error as Error).message})`,
    );
  }
}

/** `Results[0].Vulnerabilities[1].Severity`, the way a user finds it in the file. */
function formatPath(path: (string | number)[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text ? `.${part}` : part;
  }
  return text || '(root)';
}

/** The same package can appear in several targets (layers, lock files) of one image. */
function dedupe(findings: ImageVulnerability[]): ImageVulnerability[] {
  const seen = new Map<string, ImageVulnerability>();
  for (const finding of findings) {
    const key = vulnerabilityKey(finding);
    if (!seen.has(key)) seen.set(key, finding);
  }
  return [...seen.values()];
}

function highestScore(cvss?: Record<string, { V3Score?: number }>): number | undefined {
  const scores = Object.values(cvss ?? {})
    .map(vendor => vendor.V3Score)
    .filter((score): score is number => typeof score === 'number');
  return scores.length ? Math.max(...scores) : undefined;
}
