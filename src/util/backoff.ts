// Exponential backoff with jitter (the AWS "full jitter" family), shared by the virtual
// clients and by the reference broker's node-to-node links.

/** How retries space out; scenarios call it `clients.reconnect`. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  jitter: 'full' | 'equal' | 'none';
}

export const DEFAULT_RECONNECT: BackoffPolicy = { initialMs: 100, maxMs: 5000, multiplier: 2, jitter: 'full' };

/** Upper bound of the delay before attempt `attempt` (0-based): initial·multiplier^attempt, capped at max. */
export function backoffCeiling(spec: BackoffPolicy, attempt: number): number {
  const grown = spec.initialMs * Math.pow(spec.multiplier, Math.max(0, attempt));
  return Math.min(spec.maxMs, Number.isFinite(grown) ? grown : spec.maxMs);
}

/**
 * Delay before attempt `attempt`. `random` returns [0,1).
 * full: U[0, ceiling) · equal: ceiling/2 + U[0, ceiling/2) · none: ceiling.
 */
export function backoffDelay(spec: BackoffPolicy, attempt: number, random: () => number): number {
  const ceiling = backoffCeiling(spec, attempt);
  switch (spec.jitter) {
    case 'full': return random() * ceiling;
    case 'equal': return ceiling / 2 + random() * (ceiling / 2);
    case 'none': return ceiling;
  }
}
