export class Temperature {
  private c = 0;

<<<<<<< ours
  get celsius(): number {
    return this.c;
=======
  set celsius(value: number) {
    this.c = value;
>>>>>>> theirs
  }

  toString(): string {
    return `${this.c} C`;
  }
}
