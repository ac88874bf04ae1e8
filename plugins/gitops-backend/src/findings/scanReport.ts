import { InputError } from '@backstage/errors';
import type { ZodError } from 'zod';
import { z } from 'zod';
import type { ImageVulnerability } from './types';

/** A CI scan of one image, whichever scanner wrote it, reduced to what findings need. */
export interface ImageScan {
  /** What was scanned, as the scanner names it (a reference, or an archive path). */
  image: string;
  /** `sha256:...` of the image in its registry, when the scanner knows it. */
  digest?: string;
  /** Distinct vulnerabilities (see distinctInScan). */
  findings: ImageVulnerability[];
}

/**
 * The image a scan is stored under: one token, as the scanners name it (a reference
 * or an archive path), never text with spaces or line breaks.
 */
export const imageName = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^\S+$/, 'must be an image reference, without spaces or line breaks');

/** The body as JSON; `label` names the format in the error ("Trivy report"). */
export function parseJsonBody(input: unknown, label: string): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch (error) {
    throw new InputError(
      `Invalid ${label}: not JSON (${(error as Error).message})`,
    );
  }
}

/** A 400 naming the first offending field, the way a user finds it in the file. */
export function invalidReport(label: string, error: ZodError): InputError {
  const issue = error.issues[0];
  return new InputError(
    `Invalid ${label}: ${formatPath(issue.path)}: ${issue.message}`,
  );
}

/** `Results[0].Vulnerabilities[1].Severity`. */
function formatPath(path: (string | number)[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text ? `.${part}` : part;
  }
  return text || '(root)';
}

/** `repo@sha256:...` -> `sha256:...`. */
export function digestOf(repoDigest: string | undefined): string | undefined {
  return repoDigest?.includes('@') ? repoDigest.split('@')[1] : undefined;
}
