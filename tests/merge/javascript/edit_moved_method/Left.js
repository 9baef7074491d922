export class Timer {
  constructor() {
    this.started = null;
    this.total = 0;
  }

  start() {
    this.started = performance.now();
  }

  stop() {
    this.total += performance.now() - this.started;
    this.started = null;
  }

  format() {
    return `${(this.total / 1000).toFixed(1)} s`;
  }
}
