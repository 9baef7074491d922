function a() {
  return 1;
}

function b() {
  if (x) {
    return 2;
}

<<<<<<< ours
function c() {
  return 3;
=======
function d() {
  return 4;
>>>>>>> theirs
}
