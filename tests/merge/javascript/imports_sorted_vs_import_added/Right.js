import { readFile } from "node:fs/promises";
import path from "node:path";
import os from "node:os";
import { createHash } from "node:crypto";

export async function digest(file) {
  const data = await readFile(path.resolve(file.replace("~", os.homedir())));
  return createHash("sha256").update(data).digest("hex");
}
