import type { Page } from 'puppeteer-core';
import { videoProgress } from './chromium.js';

/**
 * Watches a remote <video> while `disrupt` runs and measures the media gap a user sees:
 * from the last frame presented before the picture froze to the first frame of the
 * recovered stream. The element may be replaced on reconnect; frames are counted per
 * element, so a new element counts as progress once it presents frames.
 */
export async function measureMediaGap(
  page: Page,
  selector: string,
  disrupt: () => Promise<void>,
  options: { timeoutMs?: number; sampleMs?: number; frozenMs?: number } = {},
): Promise<number> {
  const sampleMs = options.sampleMs ?? 50;
  const frozenMs = options.frozenMs ?? 400;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last = await videoProgress(page, selector);
  let lastFrameAt = Date.now();
  let frozeAt: number | undefined;
  let recovered = 0;
  const disrupted = disrupt();
  let disruptError: unknown;
  let disruptedAt: number | undefined;
  disrupted.then(() => (disruptedAt = Date.now()), (error: unknown) => (disruptError = error));
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, sampleMs));
    if (disruptError) throw disruptError;
    const now = Date.now();
    const current = await videoProgress(page, selector).catch(() => null);
    const progressed = current !== null && current.width > 0 && (last === null || current.frames > last.frames || current.frames < last.frames);
    if (current) last = current;
    if (!progressed) {
      if (frozeAt === undefined && now - lastFrameAt >= frozenMs) frozeAt = lastFrameAt;
      recovered = 0;
      continue;
    }
    if (frozeAt === undefined) {
      lastFrameAt = now;
      // Never froze, well after the disruption finished: no gap at all.
      if (disruptedAt !== undefined && now - disruptedAt > 5_000) return 0;
      continue;
    }
    // Recovered once frames keep coming for a few samples (not one stray frame).
    if (++recovered === 1) lastFrameAt = now;
    if (recovered >= 3) {
      await disrupted;
      return lastFrameAt - frozeAt;
    }
  }
  throw new Error(`video ${selector} did not recover within the timeout (froze: ${frozeAt !== undefined})`);
}
