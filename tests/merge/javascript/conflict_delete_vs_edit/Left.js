export function userId(user) {
  return user.id;
}

export function sameUser(a, b) {
  return userId(a) === userId(b);
}
