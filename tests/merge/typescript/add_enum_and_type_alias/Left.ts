export enum Level {
  Debug,
  Info,
  Warn,
  Error,
}

export enum Format {
  Text,
  Json,
}

export function label(level: Level): string {
  return Level[level].toUpperCase();
}
