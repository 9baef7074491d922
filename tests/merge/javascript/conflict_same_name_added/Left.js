/**
 * Tiny statistics helpers for the dashboard.
 * All functions take arrays of numbers and never mutate them.
 */

export function count(values) {
  return values.length;
}

export function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}

export function average(values) {
  return values.length ? sum(values) / values.length : 0;
}
