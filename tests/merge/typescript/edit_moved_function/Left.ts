export function toByte(v: number): number {
  return Math.round(clamp(v, 0, 1) * 255);
}

export function percent(v: number): string {
  return `${Math.round(clamp(v, 0, 1) * 100)}%`;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
