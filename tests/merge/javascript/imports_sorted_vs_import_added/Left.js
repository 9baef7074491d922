import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";

export async function digest(file) {
  const data = await readFile(path.resolve(file));
  return createHash("sha256").update(data).digest("hex");
}
