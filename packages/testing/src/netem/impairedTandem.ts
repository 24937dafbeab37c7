import { startTestTandem, type TestTandem } from '../tandem.js';
import { ImpairedLink } from './ImpairedLink.js';
import type { LinkSettings } from './types.js';

/** Where browsers see the SFU: the proxies. Linux routes all of 127/8 to loopback. */
export const IMPAIRED_MEDIA_HOST = '127.0.0.2';
const SFU_HOST = '127.0.0.1';

export interface ImpairedTandemOptions extends LinkSettings {
  /** Seed of the link's loss and jitter; default 1. */
  seed?: number;
  /** Extra server environment. */
  env?: Record<string, string>;
}

export interface ImpairedTandem extends TestTandem {
  /** Between browsers and the SFU's media port; signaling (HTTP/WS) does not go through it. */
  link: ImpairedLink;
  /** The SFU's media port, on 127.0.0.1 (real) and 127.0.0.2 (proxied). */
  rtcPort: number;
}

/**
 * A test Tandem whose media goes through a weak network: the SFU listens on
 * 127.0.0.1:P and announces 127.0.0.2:P, where UDP and TCP proxies relay to it.
 */
export async function startImpairedTandem(options: ImpairedTandemOptions = {}): Promise<ImpairedTandem> {
  const settings: LinkSettings = { ...(options.up ? { up: options.up } : {}), ...(options.down ? { down: options.down } : {}) };
  for (let attempt = 0; ; attempt += 1) {
    const link = await ImpairedLink.start({
      listenHost: IMPAIRED_MEDIA_HOST,
      listenPort: 0,
      targetHost: SFU_HOST,
      targetPort: 0, // the same port on the SFU's address
      seed: options.seed ?? 1,
      settings,
    });
    try {
      const tandem = await startTestTandem({
        env: {
          TANDEM_RTC_PORT: String(link.port),
          TANDEM_WORKERS: '1',
          TANDEM_LISTEN_IP: SFU_HOST,
          TANDEM_ANNOUNCED_ADDRESS: IMPAIRED_MEDIA_HOST,
          ...options.env,
        },
      });
      return {
        ...tandem,
        link,
        rtcPort: link.port,
        async stop() {
          await tandem.stop();
          await link.close();
        },
        async stopKeepingData() {
          await tandem.stopKeepingData();
          await link.close();
        },
      };
    } catch (error) {
      // 127.0.0.1:P may be taken by someone else; try another port.
      await link.close();
      if (attempt >= 5) throw error;
    }
  }
}
