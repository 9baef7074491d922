import { Scheduler } from './Scheduler';

export function isScheduler(value: unknown): value is Scheduler {
  return value !== null && typeof value === 'object' && 'schedule' in value;
}

export function popScheduler(args: unknown[]): Scheduler | undefined {
  return isScheduler(args[args.length - 1]) ? (args.pop() as Scheduler) : undefined;
}

export function popNumber(args: unknown[], fallback: number): number {
  return typeof args[args.length - 1] === 'number' ? (args.pop() as number) : fallback;
}
// popNumber takes the last argument only when it is a number:
// a trailing callback or scheduler is left for the caller to pop.
// See popScheduler for the scheduler case.
