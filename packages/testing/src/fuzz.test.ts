import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@tandem/protocol';
import { fuzzFrames } from './fuzz.js';
import { SignalingClient } from './SignalingClient.js';
import { http, openSupportCall, startTestTandem, type TestTandem } from './tandem.js';

let tandem: TestTandem;
beforeAll(async () => {
  tandem = await startTestTandem();
});
afterAll(async () => tandem?.stop());

const FRAMES_PER_CONNECTION = 600;
const CONNECTIONS = 5; // 3000 frames in all

describe('signaling under generated hostile frames', () => {
  it('answers each with ok or a typed error, never crashes, and loses nothing already accepted', async () => {
    const { customer, session } = await openSupportCall(tandem.url);
    const agent = await SignalingClient.connect(tandem.url);
    await agent.join(session.callToken);
    const keeper = await SignalingClient.connect(tandem.url);
    await keeper.join(customer.token);
    const before = await keeper.request('sendChat', { text: 'accepted before the storm', clientMessageId: 'keep-1' });

    const outcomes = new Map<string, number>();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, c) => {
        const client = await SignalingClient.connect(tandem.url);
        // Half the connections are joined customers, so post-join handlers are hit too.
        if (c % 2 === 0) {
          const extra = await http<{ token: string }>(tandem.url, 'POST', `/api/v1/join/${session.joinCode}`, {});
          await client.join(extra.body.token);
        }
        for (const [i, f] of fuzzFrames(1000 + c, FRAMES_PER_CONNECTION).entries()) {
          if (f.kind === 'text') {
            client.sendText(f.text);
          } else {
            const id = 1_000_000 + i;
            const hasGoodId = !('id' in f.frame);
            const reply = hasGoodId
              ? await client.raw({ ...f.frame, id })
              : (client.socket.send(JSON.stringify(f.frame)), undefined);
            if (reply) {
              const outcome = reply.ok ? 'ok' : reply.error.code;
              outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
              if (!reply.ok) expect(Object.keys(ErrorCodes)).toContain(reply.error.code);
            }
          }
          // Stay under the per-connection rate limit so validation, not throttling, is tested.
          if (i % 50 === 49) await new Promise((r) => setTimeout(r, 500));
        }
        await new Promise((r) => setTimeout(r, 100));
        for (const f of client.takeUnmatched()) {
          expect(f.ok).toBe(false);
          if (!f.ok) expect(Object.keys(ErrorCodes)).toContain(f.error.code);
        }
        expect(client.open).toBe(true);
        await client.close();
      }),
    );

    expect(outcomes.get('INTERNAL') ?? 0).toBe(0);
    expect((outcomes.get('BAD_PARAMS') ?? 0) + (outcomes.get('BAD_MESSAGE') ?? 0)).toBeGreaterThan(500);
    // The call and its transcript are intact: the keeper still chats, the agent got its line.
    expect(keeper.open).toBe(true);
    const after = await keeper.request('sendChat', { text: 'still standing', clientMessageId: 'keep-2' });
    const fresh = await SignalingClient.connect(tandem.url);
    const rejoined = await fresh.join(session.callToken).catch(() => null);
    const texts = (rejoined?.chat ?? []).map((m) => m.messageId);
    expect(texts).toEqual(expect.arrayContaining([before.message.messageId, after.message.messageId]));
    expect((await http(tandem.url, 'GET', '/healthz')).status).toBe(200);
    await Promise.all([agent.close(), keeper.close(), fresh.close()]);
  }, 120_000);
});
