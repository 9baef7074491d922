export class Timer {
  constructor() {
    this.started = null;
    this.total = 0;
  }

  format(digits = 1) {
    return `${(this.total / 1000).toFixed(digits)} s`;
  }

  start() {
    this.started = performance.now();
  }

  stop() {
    this.total += performance.now() - this.started;
    this.started = null;
  }
}
