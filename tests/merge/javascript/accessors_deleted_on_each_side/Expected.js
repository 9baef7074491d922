export class Temperature {
  constructor() {
    this.c = 0;
  }

<<<<<<< ours
  get celsius() {
    return this.c;
=======
  set celsius(value) {
    this.c = value;
>>>>>>> theirs
  }

  toString() {
    return `${this.c} C`;
  }
}
