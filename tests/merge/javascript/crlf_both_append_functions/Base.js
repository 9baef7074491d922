export function start(server) {
  server.listen(8080);
}
