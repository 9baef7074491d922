export class Session {
  constructor(private token: string, private expires: number) {}

  isExpired(now = Date.now()): boolean {
    return now >= this.expires;
  }

  header(): string {
    return `Bearer ${this.token}`;
  }
}
