<<<<<<< ours
import { readFile, stat } from "node:fs/promises";
=======
import { readFile, writeFile } from "node:fs/promises";
>>>>>>> theirs
import path from "node:path";

export async function load(name) {
  return readFile(path.join("data", name), "utf8");
}

export function one() {
  return 1;
}

export function two() {
  return 2;
}
