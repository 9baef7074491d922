export function parse(text) {
  return JSON.parse(text);
}

export function isEmpty(text) {
  return text.trim() === "";
}

export function main(argv) {
  return isEmpty(argv[0]) ? null : parse(argv[0]);
}
