export class Poller {
  interval = 5000;
  maxErrors = 10;
  errors = 0;

  constructor(fn) {
    this.fn = fn;
  }

  async tick() {
    try {
      await this.fn();
      this.errors = 0;
    } catch (err) {
      if (++this.errors >= this.maxErrors) throw err;
    }
  }
}
