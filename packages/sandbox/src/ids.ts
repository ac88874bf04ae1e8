import { createHash } from 'node:crypto';

/** The alphabet Kubernetes uses for generated names: no vowels, no look-alike digits. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * A UUID-shaped uid derived from the object's identity, so an object keeps its uid
 * across polls and sandbox restarts.
 */
export function stableUid(...identity: string[]): string {
  const hex = createHash('sha1').update(identity.join('\0')).digest('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join('-');
}

/**
 * A hash in the form the Argo Rollouts controller gives `rollouts-pod-template-hash`:
 * FNV-32a over the object, its decimal digits mapped onto the safe alphabet. The bytes
 * hashed differ from the Go controller's, so values are look-alikes, not equal.
 */
export function safeHash(value: unknown): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(JSON.stringify(value))) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return [...String(hash)]
    .map(digit => SAFE_ALPHABET[digit.charCodeAt(0) % SAFE_ALPHABET.length])
    .join('');
}

/** A reproducible stand-in for the random 5-character suffix of a pod name. */
export function nameSuffix(seed: string): string {
  const digest = createHash('sha1').update(seed).digest();
  return [...digest.subarray(0, 5)]
    .map(byte => SAFE_ALPHABET[byte % SAFE_ALPHABET.length])
    .join('');
}
