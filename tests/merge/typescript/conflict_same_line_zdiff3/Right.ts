/**
 * Retry timing for the HTTP client.
 * Delays are in milliseconds.
 */

export function retryDelay(attempt: number): number {
  const base = 100;
  const delay = base * 2 ** attempt;
  return Math.min(delay + Math.random() * base, 10_000);
}
