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
  if (values.length === 0) throw new Error("average of an empty list");
  return sum(values) / values.length;
}
