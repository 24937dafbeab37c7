import { randomBytes } from 'node:crypto';
import { TandemError, type NetworkLeg, type NetworkTestOffer, type ProbeEcho, type SfuControl } from '@tandem/protocol';
import type { Coordinator } from '@tandem/cluster';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { TurnIssuer } from '../call/CallRoomTypes.js';
import { RateLimiter } from '../RateLimiter.js';
import type { SfuNodeDirectory } from '../sfu-link/SfuNodeDirectory.js';

/** A test runs for a few seconds; after this it is torn down whether the browser said so or not. */
export const NETWORK_TEST_TTL_MS = 15_000;
/** Tests at once through this signaling process. */
const MAX_OPEN_TESTS = 32;

/** Who asks: one seat in one call (from the call token). */
export interface Tester {
  sessionId: string;
  subject: string;
}

interface OpenTest {
  probeId: string;
  owner: string;
  node: SfuControl;
  timer: NodeJS.Timeout;
}

export interface NetworkTestsDeps {
  coordinator: Coordinator;
  sfuNodes: SfuNodeDirectory;
  turn?: TurnIssuer | undefined;
  log: Logger;
  now?: () => number;
}

/**
 * The pre-call network tests this process has open, each on the SFU node the tester's
 * call is (or would be) placed on. One test per seat at a time (a new one replaces the
 * old, as after a reload), a few per minute, each gone after NETWORK_TEST_TTL_MS.
 */
export class NetworkTests {
  readonly #open = new Map<string, OpenTest>();
  readonly #byOwner = new Map<string, string>();
  /** Four tests at once, then one a minute per seat: a person reloads; a loop gets refused. */
  readonly #limiter: RateLimiter;
  readonly #now: () => number;

  constructor(private readonly deps: NetworkTestsDeps) {
    this.#now = deps.now ?? Date.now;
    this.#limiter = new RateLimiter(4, 1 / 60, this.#now);
  }

  get size(): number {
    return this.#open.size;
  }

  async open(tester: Tester): Promise<NetworkTestOffer> {
    const owner = ownerOf(tester);
    if (!this.#limiter.take(owner)) throw new TandemError('RATE_LIMITED', 'too many network tests; try again in a minute');
    const previous = this.#byOwner.get(owner);
    if (previous) await this.close(tester, previous).catch(() => undefined);
    if (this.#open.size >= MAX_OPEN_TESTS) throw new TandemError('NO_CAPACITY', 'too many network tests at once');
    const node = await this.#nodeFor(tester.sessionId);
    const iceServers = this.deps.turn?.issue(tester.subject) ?? [];
    const legs: NetworkLeg[] = iceServers.length > 0 ? ['udp', 'tcp', 'relay'] : ['udp', 'tcp'];
    const probeId = randomBytes(12).toString('base64url');
    const expiresAt = this.#now() + NETWORK_TEST_TTL_MS;
    const timer = setTimeout(() => void this.#teardown(probeId), NETWORK_TEST_TTL_MS);
    timer.unref();
    const test: OpenTest = { probeId, owner, node, timer };
    this.#open.set(probeId, test);
    this.#byOwner.set(owner, probeId);
    try {
      const opened = await node.request('openProbe', { probeId, legs });
      return { probeId, expiresAt, ttlMs: Math.max(0, expiresAt - this.#now()), legs: opened.legs, iceServers };
    } catch (error) {
      await this.#teardown(probeId);
      throw error;
    }
  }

  async connect(tester: Tester, probeId: string, transportId: string, dtlsParameters: unknown): Promise<void> {
    const test = this.#owned(tester, probeId);
    await test.node.request('connectProbe', { probeId, transportId, dtlsParameters });
  }

  async echo(tester: Tester, probeId: string, body: { transportId: string; sctpStreamParameters: unknown; label?: string | undefined }): Promise<ProbeEcho> {
    const test = this.#owned(tester, probeId);
    return test.node.request('echoProbe', {
      probeId,
      transportId: body.transportId,
      sctpStreamParameters: body.sctpStreamParameters,
      ...(body.label === undefined ? {} : { label: body.label }),
    });
  }

  async close(tester: Tester, probeId: string): Promise<void> {
    this.#owned(tester, probeId);
    await this.#teardown(probeId);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#open.keys()].map((probeId) => this.#teardown(probeId)));
  }

  #owned(tester: Tester, probeId: string): OpenTest {
    const test = this.#open.get(probeId);
    // Someone else's test looks exactly like a finished one: no probing for ids.
    if (!test || test.owner !== ownerOf(tester)) throw new TandemError('NOT_FOUND', 'no such network test (it may have finished)');
    return test;
  }

  async #teardown(probeId: string): Promise<void> {
    const test = this.#open.get(probeId);
    if (!test) return;
    this.#open.delete(probeId);
    clearTimeout(test.timer);
    if (this.#byOwner.get(test.owner) === probeId) this.#byOwner.delete(test.owner);
    // The node tears its probes down on its own too; a failure here only costs it a few seconds.
    await test.node.request('closeProbe', { probeId }).catch((error: unknown) => {
      this.deps.log.debug({ err: error, probeId }, 'closing a network test failed');
    });
  }

  /** The node the call is placed on if it is placed and serving; else the one it would most likely get. */
  async #nodeFor(sessionId: string): Promise<SfuControl> {
    const { coordinator, sfuNodes } = this.deps;
    const placement = await coordinator.getPlacement(sessionId).catch(() => null);
    const usable = (nodeId: string): boolean => !sfuNodes.isDown(nodeId) && !sfuNodes.isDraining(nodeId);
    if (placement && usable(placement.nodeId)) {
      const node = await sfuNodes.ensure(placement.nodeId).catch(() => undefined);
      if (node) return node;
    }
    // Not placed yet: the least-loaded serving node, which is what placement will pick.
    const likely = sfuNodes.pickOther('');
    if (likely) return sfuNodes.ensure(likely);
    return sfuNodes.any();
  }
}

function ownerOf(tester: Tester): string {
  return `${tester.sessionId}/${tester.subject}`;
}
