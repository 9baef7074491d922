export function start(server) {
  server.listen(8080);
}

export function stop(server) {
  server.close();
}

export function restart(server) {
  server.close(() => server.listen(8080));
}
