import { InputError } from '@backstage/errors';
import { z } from 'zod';
import {
  digestOf,
  imageName,
  invalidReport,
  parseJsonBody,
  type ImageScan,
} from './scanReport';
import { distinctInScan, normalizeSeverity } from './vulnerabilities';

const LABEL = 'Trivy report';

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
export function parseTrivyJson(input: unknown): ImageScan {
  const json = parseJsonBody(input, LABEL);
  const version = (json as { SchemaVersion?: unknown } | null)?.SchemaVersion;
  if (version !== 2) {
    throw new InputError(
      `Unsupported Trivy report: SchemaVersion must be 2 (trivy image -f json), got ${
        JSON.stringify(version) ?? 'none'
      }`,
    );
  }
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) throw invalidReport(LABEL, parsed.error);
  const report = parsed.data;
  return {
    image: report.Metadata?.RepoTags?.[0] ?? report.ArtifactName,
    digest: digestOf(report.Metadata?.RepoDigests?.[0]),
    findings: distinctInScan(
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

function highestScore(cvss?: Record<string, { V3Score?: number }>): number | undefined {
  const scores = Object.values(cvss ?? {})
    .map(vendor => vendor.V3Score)
    .filter((score): score is number => typeof score === 'number');
  return scores.length ? Math.max(...scores) : undefined;
}
