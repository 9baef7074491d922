export class Cache {
  constructor(limit = 100) {
    this.limit = limit;
    this.map = new Map();
  }

  get(key, fallback = undefined) {
    if (!this.map.has(key)) return fallback;
    const value = this.map.get(key);
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key, value) {
    this.map.set(key, value);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value);
  }
}
