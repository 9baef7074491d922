export class Temperature {
  private c = 0;

  get celsius(): number {
    return this.c;
  }

  set celsius(value: number) {
    this.c = value;
  }

  toString(): string {
    return `${this.c} C`;
  }
}
