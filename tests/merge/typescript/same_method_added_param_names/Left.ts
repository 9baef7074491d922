export class Money {
  constructor(private readonly cents: number) {}

  toString(): string {
    return (this.cents / 100).toFixed(2);
  }

  times(factor: number): Money {
    return new Money(Math.round(this.cents * factor));
  }
}
