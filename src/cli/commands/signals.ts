/**
 * An AbortSignal that fires on SIGINT or SIGTERM, so servers close their sessions and listeners
 * cleanly instead of being killed mid-response. `dispose()` removes the handlers again.
 */
export function untilSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('stopped by a signal'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
