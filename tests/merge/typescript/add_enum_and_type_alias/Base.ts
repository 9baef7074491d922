export enum Level {
  Debug,
  Info,
  Warn,
  Error,
}

export function label(level: Level): string {
  return Level[level].toUpperCase();
}
