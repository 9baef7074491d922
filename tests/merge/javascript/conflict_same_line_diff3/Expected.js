/**
 * Command-line helpers.
 * @module cli/port
 */

export function parsePort(value) {
<<<<<<< ours
  const port = Number(value);
||||||| base
  const port = Number.parseInt(value, 10);
=======
  const port = Number.parseInt(String(value).trim(), 10);
>>>>>>> theirs
  if (Number.isNaN(port) || port < 1 || port > 65535) {
    throw new RangeError(`bad port: ${value}`);
  }
  return port;
}
