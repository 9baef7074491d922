export class Money {
  constructor(private readonly cents: number) {}

  toString(): string {
    return (this.cents / 100).toFixed(2);
  }
}
