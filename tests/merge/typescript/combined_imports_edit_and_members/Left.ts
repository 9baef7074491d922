import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

export class Downloader extends EventEmitter {
  private active = 0;

  constructor(private readonly limit: number) {
    super();
  }

  async fetch(url: string): Promise<Uint8Array> {
    this.active++;
    try {
      const res = await fetch(url);
      return new Uint8Array(await res.arrayBuffer());
    } finally {
      this.active--;
    }
  }

  get busy(): boolean {
    return this.active >= this.limit;
  }
}
