function a() {
  return 1;
}

function b() {
  if (x) {
    return 2;
}
