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

  off(name, fn) {
    const list = this.handlers.get(name) ?? [];
    this.handlers.set(name, list.filter((h) => h !== fn));
  }

  once(name, fn) {
    const wrapper = (payload) => {
      this.off(name, wrapper);
      fn(payload);
    };
    this.on(name, wrapper);
  }
}

export const bus = new EventBus();
