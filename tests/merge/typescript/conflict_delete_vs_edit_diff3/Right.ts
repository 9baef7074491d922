export class Session {
  constructor(private token: string, private expires: number) {}

  isExpired(now = Date.now()): boolean {
    return now >= this.expires;
  }

  refresh(token: string, ttlMs: number): void {
    this.token = token;
    this.expires = Date.now() + Math.max(0, ttlMs);
  }

  header(): string {
    return `Bearer ${this.token}`;
  }
}
