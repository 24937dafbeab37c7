import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '@tandem/protocol';
import { SignalingClient } from './SignalingClient.js';
import { openSupportCall, startTestTandem, type TestTandem } from './tandem.js';

let tandem: TestTandem;
beforeAll(async () => {
  tandem = await startTestTandem();
});
afterAll(async () => tandem?.stop());

describe('signaling WebSocket', () => {
  it('says hello with the protocol version, then joins in one round trip', async () => {
    const { customer } = await openSupportCall(tandem.url);
    const client = await SignalingClient.connect(tandem.url);
    const hello = await client.waitFor('hello');
    expect(hello.params).toMatchObject({ protocolVersion: PROTOCOL_VERSION });
    const joined = await client.join(customer.token);
    expect(joined.role).toBe('customer');
    expect(joined.sendTransport.iceCandidates.length).toBeGreaterThan(0);
    expect(joined.recvTransport.id).not.toBe(joined.sendTransport.id);
    expect((joined.routerRtpCapabilities as { codecs: { mimeType: string }[] }).codecs.map((c) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8', 'video/VP9', 'video/H264']),
    );
    await client.close();
  });

  it('answers every kind of bad frame with a typed error and keeps the connection working', async () => {
    const { customer } = await openSupportCall(tandem.url);
    const client = await SignalingClient.connect(tandem.url);
    expect(await client.raw({ method: 'sendChat', params: { text: 'hi', clientMessageId: 'a1' } })).toMatchObject({
      ok: false,
      error: { code: 'NOT_JOINED' },
    });
    client.sendText('{"id": 1, "method": ');
    client.sendText(Buffer.from([1, 2, 3]), true);
    client.sendText(JSON.stringify({ id: 7, method: 'x'.repeat(10), params: 'y'.repeat(MAX_FRAME_BYTES) }));
    await new Promise((r) => setTimeout(r, 200));
    expect(client.takeUnmatched().map((f) => (f.ok ? 'ok' : f.error.code))).toEqual(['BAD_JSON', 'BAD_MESSAGE', 'FRAME_TOO_LARGE']);
    expect(await client.raw({ method: 'teleport', params: {} })).toMatchObject({ error: { code: 'UNKNOWN_METHOD' } });
    expect(await client.raw({ method: 'join', params: { protocolVersion: 'one', token: 5 } })).toMatchObject({ error: { code: 'BAD_PARAMS' } });
    expect(await client.raw({ method: 'join', params: { protocolVersion: 999, token: customer.token } })).toMatchObject({ error: { code: 'VERSION_MISMATCH' } });
    expect(await client.raw({ method: 'join', params: { protocolVersion: PROTOCOL_VERSION, token: 'x'.repeat(40) } })).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    await client.join(customer.token);
    expect(await client.raw({ method: 'join', params: { protocolVersion: PROTOCOL_VERSION, token: customer.token } })).toMatchObject({ error: { code: 'ALREADY_JOINED' } });
    // A customer is not an agent.
    expect(await client.raw({ method: 'requestScreen' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await client.raw({ method: 'endSession' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const sent = await client.request('sendChat', { text: 'still here', clientMessageId: 'ok-1' });
    expect(sent.message.text).toBe('still here');
    expect(client.open).toBe(true);
    await client.close();
  });

  it('answers a flood with RATE_LIMITED under each request id, so no call hangs', async () => {
    const client = await SignalingClient.connect(tandem.url);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 400 }, (_, i) => client.request('sendChat', { text: `flood ${i}`, clientMessageId: `f${i}` })),
    );
    const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: string }).code : 'ok'));
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThan(100);
    expect(codes.every((c) => c === 'RATE_LIMITED' || c === 'NOT_JOINED')).toBe(true);
    expect(client.takeUnmatched()).toEqual([]);
    await client.close();
  });

  it('stores chat before acknowledging it, fans it out, and stores a retried line once', async () => {
    const { customer, session } = await openSupportCall(tandem.url);
    const agent = await SignalingClient.connect(tandem.url);
    await agent.join(session.callToken);
    const cust = await SignalingClient.connect(tandem.url);
    await cust.join(customer.token);
    const first = await cust.request('sendChat', { text: '  my printer is on fire  ', clientMessageId: 'm-1' });
    const retry = await cust.request('sendChat', { text: 'my printer is on fire', clientMessageId: 'm-1' });
    expect(retry.message.messageId).toBe(first.message.messageId);
    expect(first.message.text).toBe('my printer is on fire');
    const pushed = await agent.waitFor('chatMessage');
    expect(pushed.params).toMatchObject({ message: { messageId: first.message.messageId, role: 'customer' } });
    const again = await SignalingClient.connect(tandem.url);
    const rejoined = await again.join(customer.token);
    expect(rejoined.chat.map((m) => m.text)).toEqual(['my printer is on fire']);
    await Promise.all([agent.close(), cust.close(), again.close()]);
  });

  it('lets a reconnect under the same identity replace the old connection', async () => {
    const { customer, session } = await openSupportCall(tandem.url);
    const agent = await SignalingClient.connect(tandem.url);
    await agent.join(session.callToken);
    const before = await SignalingClient.connect(tandem.url);
    const first = await before.join(customer.token);
    const after = await SignalingClient.connect(tandem.url);
    const second = await after.join(customer.token);
    expect(second.peerId).toBe(first.peerId);
    await before.waitFor('replaced');
    await new Promise((r) => setTimeout(r, 100));
    expect(before.open).toBe(false);
    // The agent never saw the customer leave: a reload is not a departure.
    expect(agent.notifications.some((n) => n.method === 'peerLeft')).toBe(false);
    const sent = await after.request('sendChat', { text: 'back', clientMessageId: 'r-1' });
    expect(sent.message.from).toBe(first.peerId);
    await Promise.all([agent.close(), after.close()]);
  });

  it('resumes a dropped connection as the same peer and replays exactly what it missed', async () => {
    const { customer, session } = await openSupportCall(tandem.url);
    const agent = await SignalingClient.connect(tandem.url);
    await agent.join(session.callToken);
    const first = await SignalingClient.connect(tandem.url);
    const joined = await first.join(customer.token);
    const heard = first.next('chatMessage');
    await agent.request('sendChat', { text: 'before the drop', clientMessageId: 'd-1' });
    await heard;
    const lastSeq = Math.max(joined.seq, ...first.notifications.map((n) => n.seq ?? 0));
    first.socket.terminate(); // the network drops it: no close handshake, no leave
    await new Promise((r) => setTimeout(r, 100));
    await agent.request('sendChat', { text: 'missed one', clientMessageId: 'd-2' });
    await agent.request('sendChat', { text: 'missed two', clientMessageId: 'd-3' });

    const back = await SignalingClient.connect(tandem.url);
    const missed = [back.next('chatMessage'), back.next('chatMessage', (p) => (p as { message: { text: string } }).message.text === 'missed two')];
    const resumed = await back.request('resume', { protocolVersion: PROTOCOL_VERSION, token: customer.token, resumeToken: joined.resumeToken, lastSeq });
    expect(resumed).toEqual({ peerId: joined.peerId, sessionId: joined.sessionId, replayed: 2 });
    const [one, two] = await Promise.all(missed);
    expect([one, two].map((n) => (n.params as { message: { text: string } }).message.text)).toEqual(['missed one', 'missed two']);
    expect(one.seq).toBe(lastSeq + 1);
    // Same peer, same transports: it can use them at once, and the agent saw no departure.
    expect(await back.raw({ method: 'restartIce', params: { transportId: joined.sendTransport.id } })).toMatchObject({ ok: true });
    expect(agent.notifications.some((n) => n.method === 'peerLeft')).toBe(false);
    // A resume token is good once: a second try (or a stranger) must join afresh.
    const again = await SignalingClient.connect(tandem.url);
    expect(await again.raw({ method: 'resume', params: { protocolVersion: PROTOCOL_VERSION, token: customer.token, resumeToken: joined.resumeToken, lastSeq } }))
      .toMatchObject({ ok: false, error: { code: 'RESUME_FAILED' } });
    await Promise.all([agent.close(), back.close(), again.close()]);
  });

  it('lets a dropped peer leave once its grace is over, and never resumes it for another identity', async () => {
    const graceful = await startTestTandem({ env: { TANDEM_RESUME_GRACE_S: '1' } });
    try {
      const { customer, session } = await openSupportCall(graceful.url);
      const agent = await SignalingClient.connect(graceful.url);
      await agent.join(session.callToken);
      const dropped = await SignalingClient.connect(graceful.url);
      await dropped.join(customer.token);
      dropped.socket.terminate();
      await new Promise((r) => setTimeout(r, 500));
      expect(agent.notifications.filter((n) => n.method === 'peerLeft')).toHaveLength(0); // still waiting for a resume
      await agent.waitFor('peerLeft', 3_000);

      const again = await SignalingClient.connect(graceful.url);
      const joined = await again.join(customer.token);
      again.socket.terminate();
      await new Promise((r) => setTimeout(r, 100));
      const thief = await SignalingClient.connect(graceful.url);
      expect(await thief.raw({ method: 'resume', params: { protocolVersion: PROTOCOL_VERSION, token: session.callToken, resumeToken: joined.resumeToken, lastSeq: joined.seq } }))
        .toMatchObject({ ok: false, error: { code: 'RESUME_FAILED' } });
      // Refused, and the place stays its owner's: it is not evicted by someone else's attempt.
      const owner = await SignalingClient.connect(graceful.url);
      expect(await owner.request('resume', { protocolVersion: PROTOCOL_VERSION, token: customer.token, resumeToken: joined.resumeToken, lastSeq: joined.seq }))
        .toMatchObject({ peerId: joined.peerId });
      expect(agent.notifications.filter((n) => n.method === 'peerLeft')).toHaveLength(1);
      await owner.close();
      await expect.poll(() => agent.notifications.filter((n) => n.method === 'peerLeft').length, { timeout: 800 }).toBe(2);

      // A page that closes its socket itself (tab closed, left) is gone at once: no resume is coming.
      const closing = await SignalingClient.connect(graceful.url);
      await closing.join(customer.token);
      closing.socket.close(1001, 'going away');
      await expect.poll(() => agent.notifications.filter((n) => n.method === 'peerLeft').length, { timeout: 600 }).toBe(3);
      await Promise.all([agent.close(), thief.close()]);
    } finally {
      await graceful.stop();
    }
  });

  it('ends the session for everyone when the agent ends it, and then refuses its tokens', async () => {
    const { customer, session } = await openSupportCall(tandem.url);
    const agent = await SignalingClient.connect(tandem.url);
    await agent.join(session.callToken);
    const cust = await SignalingClient.connect(tandem.url);
    await cust.join(customer.token);
    await agent.request('endSession', {});
    expect((await cust.waitFor('sessionEnded')).params).toEqual({ reason: 'ended-by-agent' });
    const late = await SignalingClient.connect(tandem.url);
    await expect(late.join(customer.token)).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    await late.close();
  });
});

describe('chat survives a restart', () => {
  it('finds every acknowledged line after the process restarts on the same DATA_DIR', async () => {
    const first = await startTestTandem();
    const { customer } = await openSupportCall(first.url);
    const client = await SignalingClient.connect(first.url);
    await client.join(customer.token);
    const texts = Array.from({ length: 20 }, (_, i) => `line ${i} 你好`);
    for (const [i, text] of texts.entries()) await client.request('sendChat', { text, clientMessageId: `c${i}` });
    await client.close();
    await first.stopKeepingData();

    const second = await startTestTandem({ dataDir: first.dataDir });
    try {
      const back = await SignalingClient.connect(second.url);
      const joined = await back.join(customer.token);
      expect(joined.chat.map((m) => m.text)).toEqual(texts);
      await back.close();
    } finally {
      await second.stop();
      await rm(first.dataDir, { recursive: true, force: true });
    }
  });
});
