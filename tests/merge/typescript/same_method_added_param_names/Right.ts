export class Money {
  constructor(private readonly cents: number) {}

  toString(): string {
    return (this.cents / 100).toFixed(2);
  }

  times(n: number): Money {
    return new Money(this.cents * n);
  }
}
