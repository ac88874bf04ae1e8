/**
 * Reading the answers of the Kubernetes plugin: its own errors (the Backstage error
 * body `{ error: { name, message }, response: { statusCode } }`) apart from what a
 * cluster answered through its proxy (a Kubernetes `Status`, or whatever a proxy in
 * front of the cluster sent).
 */

/** The message of a Backstage error body, when `text` is one. */
export function backstageErrorMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text);
    const error = parsed?.error;
    if (
      error &&
      typeof error === 'object' &&
      typeof error.name === 'string' &&
      typeof error.message === 'string' &&
      typeof parsed.response?.statusCode === 'number'
    ) {
      return error.name === 'Error' || error.message.startsWith(error.name)
        ? error.message
        : `${error.name}: ${error.message}`;
    }
  } catch {
    // not JSON
  }
  return undefined;
}

/** Errors are `Status` objects; keep their message, never echo an HTML page. */
export function statusMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text);
    return typeof parsed?.message === 'string' ? parsed.message : undefined;
  } catch {
    return text ? text.slice(0, 200) : undefined;
  }
}

/**
 * `text` without credentials: the token we sent, and any `Bearer`/`Basic` credential a
 * cluster or proxy quotes back (the cluster's own token is the Kubernetes plugin's,
 * which this plugin never sees, so it cannot be removed by value).
 */
export function redact(
  text: string | undefined,
  secret?: string,
): string | undefined {
  if (!text) return text;
  let result = text.replace(
    /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=:-]+/gi,
    '$1 <redacted>',
  );
  // (a secret of a few characters would redact ordinary words)
  if (secret && secret.length >= 4) result = result.split(secret).join('<redacted>');
  return result;
}

/** Node's fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a TLS error). */
export function describeFetchError(error: Error, timeoutMs: number): string {
  if (error.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const cause = (
    error as Error & { cause?: { code?: string; message?: string } }
  ).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
