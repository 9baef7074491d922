function clamp(value: number, min: number, max: number): number {
  if (min > max) throw new RangeError("min > max");
  return Math.min(max, Math.max(min, value));
}

export function toByte(v: number): number {
  return Math.round(clamp(v, 0, 1) * 255);
}

export function percent(v: number): string {
  return `${Math.round(clamp(v, 0, 1) * 100)}%`;
}
