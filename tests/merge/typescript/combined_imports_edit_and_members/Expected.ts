import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { TextDecoder } from "node:util";

export class Downloader extends EventEmitter {
  private active = 0;

  constructor(private readonly limit: number) {
    super();
  }

  async fetch(url: string): Promise<Uint8Array> {
    this.active++;
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    } finally {
      this.active--;
    }
  }

  get busy(): boolean {
    return this.active >= this.limit;
  }

  async fetchText(url: string): Promise<string> {
    return new TextDecoder().decode(await this.fetch(url));
  }
}
