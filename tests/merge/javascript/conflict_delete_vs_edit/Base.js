export function legacyId(user) {
  return `${user.org}:${user.name}`;
}

export function userId(user) {
  return user.id ?? legacyId(user);
}

export function sameUser(a, b) {
  return userId(a) === userId(b);
}
