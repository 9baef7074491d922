<<<<<<< ours
=======
export function legacyId(user) {
  return `${user.org}:${user.name.toLowerCase()}`;
}

>>>>>>> theirs
export function userId(user) {
  return user.id;
}

export function sameUser(a, b) {
  return userId(a) === userId(b);
}
