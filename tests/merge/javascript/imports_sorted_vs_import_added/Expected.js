import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
<<<<<<< ours
=======
import os from "node:os";
import { createHash } from "node:crypto";
>>>>>>> theirs

export async function digest(file) {
  const data = await readFile(path.resolve(file.replace("~", os.homedir())));
  return createHash("sha256").update(data).digest("hex");
}
