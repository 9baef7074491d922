export class Queue<T> {
  private items: T[] = [];

  push(item: T): void {
    this.items.push(item);
  }

<<<<<<< ours
  get size(): number {
=======
  size(): number {
>>>>>>> theirs
    return this.items.length;
  }
}
