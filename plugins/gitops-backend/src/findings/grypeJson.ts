import { InputError } from '@backstage/errors';
import { z } from 'zod';
import {
  digestOf,
  imageName,
  invalidReport,
  parseJsonBody,
  type ImageScan,
} from './scanReport';
import type { ImageVulnerability, Severity } from './types';
import { distinctInScan, normalizeSeverity } from './vulnerabilities';

const LABEL = 'Grype report';

// Only the fields read are declared; Grype adds fields (epss, risk, knownExploited...)
// and they pass through.
const cvssSchema = z.object({
  version: z.string().optional(),
  metrics: z
    .object({ baseScore: z.number().optional() })
    .passthrough()
    .optional(),
});

const relatedSchema = z.object({
  id: z.string(),
  description: z.string().optional(),
  cvss: z.array(cvssSchema).nullish(),
});

const matchSchema = z.object({
  vulnerability: z.object({
    id: z.string().min(1),
    severity: z.string(),
    dataSource: z.string().optional(),
    urls: z.array(z.string()).nullish(),
    description: z.string().optional(),
    cvss: z.array(cvssSchema).nullish(),
    fix: z
      .object({
        versions: z.array(z.string()).nullish(),
        state: z.string().optional(),
      })
      .optional(),
  }),
  relatedVulnerabilities: z.array(relatedSchema).nullish(),
  artifact: z.object({ name: z.string().min(1), version: z.string() }),
});

type Match = z.infer<typeof matchSchema>;

const reportSchema = z.object({
  // Grype writes `[]` for a clean image; older versions may write null.
  matches: z.array(matchSchema).nullish(),
  source: z.object({
    // Scans of a directory or an SBOM name no image a workload could run.
    type: z.literal('image', {
      errorMap: () => ({ message: 'must be "image" (grype <image> -o json)' }),
    }),
    target: z.object({
      userInput: imageName,
      tags: z.array(imageName).nullish(),
      repoDigests: z.array(imageName).nullish(),
    }),
  }),
});

/** Whether an uploaded body is Grype's: its top-level `matches` and `descriptor`. */
export function looksLikeGrype(json: unknown): boolean {
  const body = json as {
    matches?: unknown;
    descriptor?: { name?: unknown };
  } | null;
  return Boolean(
    body && (Array.isArray(body.matches) || body.descriptor?.name === 'grype'),
  );
}

/**
 * Parses the JSON output of `grype <image> -o json`, as uploaded from CI, into
 * findings. Throws an InputError naming the offending field.
 */
export function parseGrypeJson(input: unknown): ImageScan {
  const json = parseJsonBody(input, LABEL);
  if (!json || typeof json !== 'object') {
    throw new InputError(
      `Invalid ${LABEL}: expected a JSON object (grype <image> -o json)`,
    );
  }
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) throw invalidReport(LABEL, parsed.error);
  const { matches, source } = parsed.data;
  const found = (matches ?? []).map(match =>
    toVulnerability(match, matches ?? []),
  );
  return {
    image: source.target.tags?.[0] ?? source.target.userInput,
    digest: digestOf(source.target.repoDigests?.[0]),
    findings: distinctInScan(found),
  };
}

function toVulnerability(match: Match, matches: Match[]): ImageVulnerability {
  const v = match.vulnerability;
  const fixed =
    v.fix?.state === 'fixed' ? (v.fix.versions ?? []).join(', ') : '';
  return {
    id: canonicalId(match, matches),
    severity: grypeSeverity(v.severity),
    package: match.artifact.name,
    installed: match.artifact.version,
    fixed: fixed || undefined,
    title: firstSentence(
      v.description ??
        match.relatedVulnerabilities?.find(r => r.description)?.description,
    ),
    link: [v.dataSource, ...(v.urls ?? [])].find(
      url => url && /^https?:\/\//.test(url),
    ),
    score: highestV3Score([
      v.cvss,
      ...(match.relatedVulnerabilities ?? []).map(r => r.cvss),
    ]),
  };
}

/**
 * Grype reports an advisory (GHSA-...) and the CVE it is about as two matches of the
 * same package. They are one vulnerability: a GHSA match whose related CVE is also
 * matched for the same package and version takes the CVE's id (as Trivy names it), so
 * it is counted once.
 */
function canonicalId(match: Match, matches: Match[]): string {
  const id = match.vulnerability.id;
  if (id.startsWith('CVE-')) return id;
  const related = (match.relatedVulnerabilities ?? [])
    .map(r => r.id)
    .filter(r => r.startsWith('CVE-'));
  const matchedCve = related.find(cve =>
    matches.some(
      other =>
        other.vulnerability.id === cve &&
        other.artifact.name === match.artifact.name &&
        other.artifact.version === match.artifact.version,
    ),
  );
  return matchedCve ?? id;
}

/** Grype's `Negligible` is below `Low`; the API has no such level, so it counts as low. */
function grypeSeverity(value: string): Severity {
  return value.toLowerCase() === 'negligible'
    ? 'low'
    : normalizeSeverity(value);
}

/** Grype has no title: the description's first sentence stands in for one. */
function firstSentence(text: string | undefined): string | undefined {
  const sentence = text?.trim().split(/(?<=\.)\s/)[0];
  return sentence || undefined;
}

function highestV3Score(
  lists: (z.infer<typeof cvssSchema>[] | null | undefined)[],
): number | undefined {
  const scores = lists
    .flatMap(list => list ?? [])
    .filter(c => c.version?.startsWith('3'))
    .map(c => c.metrics?.baseScore)
    .filter((score): score is number => typeof score === 'number');
  return scores.length ? Math.max(...scores) : undefined;
}
