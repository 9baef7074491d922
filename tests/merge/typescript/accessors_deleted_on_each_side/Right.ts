export class Temperature {
  private c = 0;

  set celsius(value: number) {
    this.c = value;
  }

  toString(): string {
    return `${this.c} C`;
  }
}
