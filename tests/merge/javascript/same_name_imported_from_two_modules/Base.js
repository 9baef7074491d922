import path from "node:path";

export function load(name) {
  return path.join("data", name);
}
