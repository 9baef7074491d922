export const DAY_MS = 24 * 60 * 60 * 1000;

export function daysBetween(a, b) {
  return Math.round((b - a) / DAY_MS);
}

export function addDays(date, n) {
  return new Date(date.getTime() + n * DAY_MS);
}

export const WEEK_MS = 7 * DAY_MS;

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"];
