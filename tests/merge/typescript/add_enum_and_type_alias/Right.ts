export enum Level {
  Debug,
  Info,
  Warn,
  Error,
}

export type Sink = (line: string) => void;

export function label(level: Level): string {
  return Level[level].toUpperCase();
}
