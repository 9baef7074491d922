export interface ServerOptions {
  host: string;
  port: number | "auto";
  tls: boolean | { cert: string; key: string };
  timeoutMs: number;
}

export const defaults: ServerOptions = {
  host: "127.0.0.1",
  port: 8080,
  tls: false,
  timeoutMs: 30_000,
};
