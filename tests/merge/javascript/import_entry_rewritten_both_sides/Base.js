import { readFile } from "node:fs/promises";
import path from "node:path";

export async function load(name) {
  return readFile(path.join("data", name), "utf8");
}
