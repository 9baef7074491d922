export class Temperature {
  private c = 0;

  get celsius(): number {
    return this.c;
  }

  toString(): string {
    return `${this.c} C`;
  }
}
