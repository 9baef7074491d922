export class Session {
  constructor(private token: string, private expires: number) {}

  isExpired(now = Date.now()): boolean {
    return now >= this.expires;
  }

<<<<<<< ours
||||||| base
  refresh(token: string, ttlMs: number): void {
    this.token = token;
    this.expires = Date.now() + ttlMs;
  }

=======
  refresh(token: string, ttlMs: number): void {
    this.token = token;
    this.expires = Date.now() + Math.max(0, ttlMs);
  }

>>>>>>> theirs
  header(): string {
    return `Bearer ${this.token}`;
  }
}
