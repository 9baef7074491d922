import path from "node:path";
import { parse } from "toml";

export function load(name) {
  return path.join("data", name);
}
