import path from "node:path";
import { parse } from "yaml";

export function load(name) {
  return path.join("data", name);
}
