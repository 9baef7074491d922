const DEFAULT_TIMEOUT_MS = 5000;
const MAX_RETRIES = 5;
const USER_AGENT = "fetcher/1.0";

export async function fetchWithRetry(url, opts = {}) {
  let lastError;
  for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
    try {
      return await fetch(url, {
        ...opts,
        headers: { "user-agent": USER_AGENT, ...opts.headers },
        signal: AbortSignal.timeout(DEFAULT_TIMEOUT_MS),
      });
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}
