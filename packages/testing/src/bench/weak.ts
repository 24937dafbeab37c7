/**
 * `npm run bench:weak`: Tandem's media tuning next to mediasoup-client's defaults
 * (`?media=plain`) under the weak networks of issue 4, in the same run.
 * Per scenario and profile, one call: the customer publishes camera, mic and screen
 * through an impaired upload (user-space proxy, seeded per scenario); the agent's own
 * media bypasses it. Figures are the agent's getStats inbound-rtp per track.
 * The customer's mic plays synthesised speech (speech.ts), as a customer would talk.
 * Knobs: BENCH_WEAK_SECONDS (measured window of a steady scenario, and the longest
 * recovery watch; default 20), BENCH_WEAK_SCENARIOS (comma-separated name prefixes),
 * BENCH_WEAK_RUNS (calls per scenario × profile, each figure the median; default 3),
 * BENCH_WEAK_PROFILES (default "tandem,plain").
 */
import { cpus, loadavg } from 'node:os';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { launchChromium } from '../chromium.js';
import { speechSample } from '../speech.js';
import { CLEAN, startImpairedTandem, type ImpairedTandem } from '../netem/index.js';
import { isFullQuality, sampleReceiver, windowOf, type Sample, type Source } from './receiverStats.js';
import { openWeakCall, type Profile } from './weakCall.js';
import { weakGoals } from './weakGoals.js';
import { audioNote, playoutNote, senderNote } from './weakNotes.js';
import { medianOfRuns } from './weakRuns.js';
import { chosenProfiles, chosenScenarios, envSeconds, type WeakScenario } from './weakScenarios.js';
import { weakTable, type WeakResult } from './weakTable.js';

const SOURCES: Source[] = ['camera', 'screen', 'mic'];
const PROFILES = chosenProfiles(process.env.BENCH_WEAK_PROFILES);
const WINDOW_S = envSeconds(process.env.BENCH_WEAK_SECONDS, 20);
const RUNS = Math.round(envSeconds(process.env.BENCH_WEAK_RUNS, 3));
/** Lets the send-side estimate ramp up after the screen appears before measuring. */
const SETTLE_MS = 4000;
/**
 * Clean (or 2 Mbps) time before a drop, after the settle: its last 3 s are "full quality",
 * the steady state the call returns to (not the ramp-up right after the share started,
 * when the camera still holds bandwidth the screen takes a few seconds later).
 */
const BEFORE_DROP_MS = 7000;
const SAMPLE_EVERY_MS = 500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function samplesFor(agent: Page, durationMs: number, stop?: (samples: Sample[]) => boolean): Promise<Sample[]> {
  const samples: Sample[] = [];
  const end = Date.now() + durationMs;
  for (;;) {
    samples.push(await sampleReceiver(agent));
    if (Date.now() >= end || stop?.(samples)) return samples;
    await sleep(SAMPLE_EVERY_MS);
  }
}

/** ms from `restoredAt` to the first second of full quality, per source; null if never. */
function recoveries(after: Sample[], restoredAt: number, before: Partial<Record<Source, ReturnType<typeof windowOf>>>): Partial<Record<Source, number | null>> {
  const out: Partial<Record<Source, number | null>> = {};
  for (const source of SOURCES) {
    const reference = before[source];
    if (!reference) continue;
    out[source] = null;
    for (let i = 2; i < after.length; i++) {
      // One second of samples ending at i (the first sample is taken as the network returns).
      if (isFullQuality(after.slice(i - 2, i + 1), source, reference)) {
        out[source] = after[i - 2]!.at - restoredAt;
        break;
      }
    }
  }
  return out;
}

async function measure(tandem: ImpairedTandem, agent: Page, scenario: WeakScenario): Promise<Pick<WeakResult, 'window' | 'recoveryMs' | 'beforeDrop'>> {
  const windows = (samples: Sample[]) => Object.fromEntries(SOURCES.map((s) => [s, windowOf(samples, s)]));
  await sleep(SETTLE_MS);
  if (!scenario.drop) {
    return { window: windows(await samplesFor(agent, WINDOW_S * 1000)), recoveryMs: {} };
  }
  const beforeSamples = await samplesFor(agent, BEFORE_DROP_MS);
  const before = windows(beforeSamples.slice(-7));
  tandem.link.set({ up: scenario.drop.impairment });
  const during = await samplesFor(agent, scenario.drop.dropMs);
  tandem.link.set({ up: { ...CLEAN, ...scenario.initial } });
  const restoredAt = Date.now();
  const recovered = (samples: Sample[]): boolean =>
    Object.values(recoveries(samples, restoredAt, before)).every((v) => v !== null) && samples.length >= 6;
  const after = await samplesFor(agent, WINDOW_S * 1000, recovered);
  const measured = scenario.measure === 'drop' ? during : [...during, ...after];
  return { window: windows(measured), recoveryMs: recoveries(after, restoredAt, before), beforeDrop: before };
}

async function oneCall(browser: Browser, scenario: WeakScenario, seed: number, profile: Profile): Promise<WeakResult> {
  const tandem = await startImpairedTandem({ seed, up: scenario.initial });
  const contexts: [BrowserContext, BrowserContext] = [await browser.createBrowserContext(), await browser.createBrowserContext()];
  try {
    const call = await openWeakCall(contexts, tandem.url, profile);
    const figures = await measure(tandem, call.agent, scenario);
    console.error(`[bench:weak] ${scenario.name} ${profile}: customer sends ${await senderNote(call.customer).catch(() => '?')}`);
    console.error(`[bench:weak] ${scenario.name} ${profile}: agent hears ${await audioNote(call.agent).catch(() => '?')}; ${await playoutNote(call.agent).catch(() => '?')}`);
    return { scenario: scenario.name, profile, firstMediaMs: call.firstMediaMs, ...figures };
  } catch (error) {
    return { scenario: scenario.name, profile, firstMediaMs: {}, window: {}, recoveryMs: {}, error: String(error).slice(0, 120) };
  } finally {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await tandem.stop();
  }
}

async function main(): Promise<void> {
  const scenarios = chosenScenarios(process.env.BENCH_WEAK_SCENARIOS);
  const speech = await speechSample();
  const browser = await launchChromium({ fakeAudioFile: speech });
  const runs: WeakResult[][] = [];
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  try {
    for (const scenario of scenarios) {
      const rows = PROFILES.map((): WeakResult[] => []);
      runs.push(...rows);
      for (let run = 0; run < RUNS; run++) {
        // Same seed for both profiles: the same network, so the difference is the tuning.
        const seed = 1000 + 100 * run + scenarios.indexOf(scenario);
        for (const [i, profile] of PROFILES.entries()) {
          console.error(`[bench:weak] ${scenario.name} × ${profile}, run ${run + 1}/${RUNS} …`);
          rows[i]!.push(await oneCall(browser, scenario, seed, profile));
        }
      }
    }
  } finally {
    await browser.dispose();
  }
  if (RUNS > 1) console.error(`\n[bench:weak] every run:\n${weakTable(runs.flat(), WINDOW_S)}`);
  const results = runs.map(medianOfRuns);
  const failed = results.reduce((n, r) => n + r.failedRuns, 0);
  // Both browsers encode and decode on this machine: a busy CPU looks like a weak network.
  const load = `load average ${loadAtStart.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
  console.log(`\nWeak networks on the customer's upload; figures at the agent (receiver), each the median of ${RUNS} call(s)${failed ? ` (${failed} failed, left out)` : ''}. ${((Date.now() - started) / 1000).toFixed(0)} s, ${load}.`);
  console.log(`mic: ${speech ? 'synthesised speech (espeak-ng)' : "Chromium's fake beep (espeak-ng missing: Opus codes it as music, so FEC shows no gain)"}.`);
  console.log(`ttff ms: join (camera, audio) or share accepted (screen) → first frame/samples. fps, res (median), freezes (count/s), conceal: over the ${WINDOW_S} s window;`);
  console.log(`cliff: during the 300 kbps phase; outage: from the outage to recovery. recov: network back → 1 s at the pre-drop height and ≥70 % fps (audio: concealment ≤ before + 2 pts).\n`);
  console.log(weakTable(results, WINDOW_S));
  console.log(`\n${weakGoals(results)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
