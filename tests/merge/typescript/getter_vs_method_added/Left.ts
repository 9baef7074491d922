export class Queue<T> {
  private items: T[] = [];

  push(item: T): void {
    this.items.push(item);
  }

  get size(): number {
    return this.items.length;
  }
}
