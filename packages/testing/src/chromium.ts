import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.TANDEM_CHROMIUM ?? '/usr/bin/chromium';

export interface ChromiumOptions {
  /** A WAV the fake microphone plays in a loop (see speech.ts); Chromium's beep when unset. */
  fakeAudioFile?: string;
}

/**
 * Debian's Chromium, headless, with a fake camera, microphone and screen, and media
 * prompts auto-accepted. The closed-network flags stop it from trying to reach
 * Google at start (refused here, slow elsewhere).
 */
export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser & { dispose(): Promise<void> }> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'tandem-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      // Media stays on loopback in tests: let WebRTC gather the loopback interface.
      '--allow-loopback-in-peer-connection',
      '--window-size=1280,800',
      ...(options.fakeAudioFile ? [`--use-file-for-fake-audio-capture=${options.fakeAudioFile}`] : []),
    ],
  });
  return Object.assign(browser, {
    async dispose() {
      await browser.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  });
}

declare global {
  interface Window {
    /** sockets: every WebSocket the page opened, so a test can drop one as a network would. */
    __tandemProbe: { pcs: RTCPeerConnection[]; sockets: WebSocket[]; displayMediaCalls: number; joinRttMs: number[] };
  }
}

/**
 * A page with probes the app does not know about: every RTCPeerConnection it makes
 * (for receiver stats) and every getDisplayMedia call (so a test can prove nothing
 * was captured).
 */
export async function newProbedPage(browser: Browser | BrowserContext, language = 'en-US'): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.setExtraHTTPHeaders({ 'Accept-Language': language });
  await page.evaluateOnNewDocument((lang: string) => {
    Object.defineProperty(navigator, 'language', { get: () => lang });
    Object.defineProperty(navigator, 'languages', { get: () => [lang] });
    const probe = { pcs: [] as RTCPeerConnection[], sockets: [] as WebSocket[], displayMediaCalls: 0, joinRttMs: [] as number[] };
    window.__tandemProbe = probe;
    // Times each `join` request to its reply, as the page itself experiences it.
    const NativeSocket = window.WebSocket;
    window.WebSocket = class extends NativeSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        probe.sockets.push(this);
        const sentAt = new Map<number, number>();
        const send = this.send.bind(this);
        this.send = (data) => {
          try {
            const frame = JSON.parse(String(data)) as { id?: number; method?: string };
            if (frame.method === 'join' && typeof frame.id === 'number') sentAt.set(frame.id, performance.now());
          } catch {
            /* not ours to judge */
          }
          send(data);
        };
        this.addEventListener('message', (event: MessageEvent) => {
          try {
            const frame = JSON.parse(String(event.data)) as { id?: number };
            const at = typeof frame.id === 'number' ? sentAt.get(frame.id) : undefined;
            if (at !== undefined && typeof frame.id === 'number') {
              probe.joinRttMs.push(performance.now() - at);
              sentAt.delete(frame.id);
            }
          } catch {
            /* ignore */
          }
        });
      }
    } as typeof WebSocket;
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        probe.pcs.push(this);
      }
    } as typeof RTCPeerConnection;
    const gdm = navigator.mediaDevices?.getDisplayMedia?.bind(navigator.mediaDevices);
    if (gdm) {
      navigator.mediaDevices.getDisplayMedia = (constraints?: DisplayMediaStreamOptions) => {
        probe.displayMediaCalls += 1;
        return gdm(constraints);
      };
    }
  }, language);
  return page;
}

export interface VideoProgress {
  width: number;
  height: number;
  /** Frames the element has presented so far. */
  frames: number;
}

/** What a <video> matching `selector` shows: its size and frames presented so far. */
export async function videoProgress(page: Page, selector: string): Promise<VideoProgress | null> {
  return page.evaluate((sel: string) => {
    const video = document.querySelector<HTMLVideoElement>(sel);
    if (!video) return null;
    return { width: video.videoWidth, height: video.videoHeight, frames: video.getVideoPlaybackQuality().totalVideoFrames };
  }, selector);
}

/** Waits until the <video> shows a picture and keeps decoding: at least `frames` new frames. */
export async function waitForLiveVideo(page: Page, selector: string, frames = 10, timeoutMs = 30_000): Promise<VideoProgress> {
  const deadline = Date.now() + timeoutMs;
  let first: VideoProgress | null = null;
  let last: VideoProgress | null = null;
  while (Date.now() < deadline) {
    last = await videoProgress(page, selector);
    if (last && last.width > 0) {
      first ??= last;
      if (last.frames - first.frames >= frames) return last;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`video ${selector} not live: first=${JSON.stringify(first)} last=${JSON.stringify(last)}`);
}

export interface InboundTotals {
  audioPackets: number;
  videoFramesDecoded: number;
}

/** Sums the receiver stats of every peer connection on the page. */
export async function inboundTotals(page: Page): Promise<InboundTotals> {
  return page.evaluate(async () => {
    const totals = { audioPackets: 0, videoFramesDecoded: 0 };
    for (const pc of window.__tandemProbe.pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: { type: string; kind?: string; packetsReceived?: number; framesDecoded?: number }) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'audio') totals.audioPackets += s.packetsReceived ?? 0;
        if (s.kind === 'video') totals.videoFramesDecoded += s.framesDecoded ?? 0;
      });
    }
    return totals;
  });
}

/** Waits until inbound audio packets keep arriving. */
export async function waitForAudio(page: Page, packets = 50, timeoutMs = 20_000): Promise<number> {
  const start = (await inboundTotals(page)).audioPackets;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const now = (await inboundTotals(page)).audioPackets;
    if (now - start >= packets) return now;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no audio packets arriving');
}
