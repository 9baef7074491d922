export function isString(x: unknown): x is string {
  return typeof x === "string";
}

/** @deprecated use isString */
export function isStr(x: unknown): x is string {
  return isString(x);
}

export function isNumber(x: unknown): x is number {
  return typeof x === "number" && !Number.isNaN(x);
}
