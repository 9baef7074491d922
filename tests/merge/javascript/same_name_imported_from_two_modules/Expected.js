import path from "node:path";
<<<<<<< ours
import { parse } from "yaml";
=======
import { parse } from "toml";
>>>>>>> theirs

export function load(name) {
  return path.join("data", name);
}
