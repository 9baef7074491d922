export function parse(text) {
  return JSON.parse(text);
}

export function isEmpty(text) {
  return text.trim() === "";
}

export function main(argv) {
  return parse(argv[0]);
}
