import { readFile } from "node:fs/promises";

export async function readJson(path) {
  const text = await readFile(path, "utf8");
  return JSON.parse(text);
}

export function pick(obj, keys) {
  const out = {};
  for (const k of keys) {
    if (k in obj) out[k] = obj[k];
  }
  return out;
}
