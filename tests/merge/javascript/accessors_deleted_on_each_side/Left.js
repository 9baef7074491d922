export class Temperature {
  constructor() {
    this.c = 0;
  }

  get celsius() {
    return this.c;
  }

  toString() {
    return `${this.c} C`;
  }
}
