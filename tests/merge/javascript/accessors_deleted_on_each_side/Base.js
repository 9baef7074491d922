export class Temperature {
  constructor() {
    this.c = 0;
  }

  get celsius() {
    return this.c;
  }

  set celsius(value) {
    this.c = value;
  }

  toString() {
    return `${this.c} C`;
  }
}
