import { Clock } from './clock';

export function elapsed(clock: Clock, since: number): number {
  return rounded(clock.now() - since);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function rounded(ms: number): number {
  return Math.round(ms);
}
// whole milliseconds: rounded() is what elapsed() reports
