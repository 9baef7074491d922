/**
 * Command-line helpers.
 * @module cli/port
 */

export function parsePort(value) {
  const port = Number.parseInt(String(value).trim(), 10);
  if (Number.isNaN(port) || port < 1 || port > 65535) {
    throw new RangeError(`bad port: ${value}`);
  }
  return port;
}
