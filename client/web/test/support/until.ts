/*
 * Waits until `cond` holds, polling; rejects after `ms` naming `what`. For
 * the library's tests (test/unit/, test/lib/), which wait on a client's
 * state rather than on a page.
 */
export function until(what: string, cond: () => boolean, ms = 10000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      if (cond()) resolve();
      else if (Date.now() - start > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}
