import type { Task } from "./task";

export class TaskQueue {
  private readonly tasks: Task[] = [];

  push(task: Task): void {
    this.tasks.push(task);
    this.tasks.sort((a, b) => b.priority - a.priority);
  }

  pop(): Task | undefined {
    return this.tasks.shift();
  }

  get size(): number {
    return this.tasks.length;
  }
}
