export class Temperature {
  constructor() {
    this.c = 0;
  }

  set celsius(value) {
    this.c = value;
  }

  toString() {
    return `${this.c} C`;
  }
}
