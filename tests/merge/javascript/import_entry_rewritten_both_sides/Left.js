import { readFile, stat } from "node:fs/promises";
import path from "node:path";

export async function load(name) {
  return readFile(path.join("data", name), "utf8");
}

export function one() {
  return 1;
}
