export interface ServerOptions {
  host: string;
  port: number;
  tls: boolean;
  timeoutMs: number;
}

export const defaults: ServerOptions = {
  host: "127.0.0.1",
  port: 8080,
  tls: false,
  timeoutMs: 30_000,
};
