import { InputError } from '@backstage/errors';
import { looksLikeGrype, parseGrypeJson } from './grypeJson';
import { parseJsonBody, type ImageScan } from './scanReport';
import { parseTrivyJson } from './trivyJson';

/** The scanners whose JSON `POST /v1/scans` takes. */
export type ScanFormat = 'trivy' | 'grype';

/**
 * Parses an uploaded CI scan, telling the scanner by the report's shape: Trivy's has
 * `SchemaVersion`, Grype's `matches` and `descriptor`. Either way the same limits and
 * validation apply; anything else is a 400 that says what is expected.
 */
export function parseScanReport(
  body: unknown,
): ImageScan & { format: ScanFormat } {
  const json = parseJsonBody(body, 'scan report');
  if (json && typeof json === 'object' && 'SchemaVersion' in json) {
    return { format: 'trivy', ...parseTrivyJson(json) };
  }
  if (looksLikeGrype(json)) return { format: 'grype', ...parseGrypeJson(json) };
  throw new InputError(
    'Unrecognized scan report: expected the JSON of `trivy image -f json` (with SchemaVersion) ' +
      'or of `grype <image> -o json` (with matches, source and descriptor)',
  );
}
