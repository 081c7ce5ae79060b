/** Maps over items with at most `limit` promises in flight, keeping the input order in the result. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Fleets this large are worth worker threads: building repos in threads (src/run/build-in-threads.ts) and
 * evaluating policies ahead in a thread (src/engine/policy-checks.ts). For smaller ones starting threads costs more.
 */
export const THREADED_FLEET_SIZE = 200;
