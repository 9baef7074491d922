export class EventBus {
  constructor() {
    this.handlers = new Map();
  }

  on(name, fn) {
    if (!this.handlers.has(name)) this.handlers.set(name, []);
    this.handlers.get(name).push(fn);
  }

  emit(name, payload) {
    for (const fn of this.handlers.get(name) ?? []) fn(payload);
  }
}

export const bus = new EventBus();
