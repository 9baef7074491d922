/**
 * Calls `fn` again after a failure, `times` attempts in all.
 * @param fn the operation
 */
export async function retry<T>(fn: () => Promise<T>, times = 3): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i + 1 >= times) throw e;
    }
  }
}

export const version = "1.1";
