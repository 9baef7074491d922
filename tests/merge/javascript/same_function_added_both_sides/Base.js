export function parse(text) {
  return JSON.parse(text);
}

export function main(argv) {
  return parse(argv[0]);
}
