import { describe, expect, it } from 'vitest';
import { TandemError } from '@tandem/protocol';
import { createSfuNode } from './index.js';

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('SfuNode lifecycle', () => {
  it('refuses a missing worker binary with a hint, before spawning anything', async () => {
    const attempt = createSfuNode({ nodeId: 'n', numWorkers: 1, rtcPort: 0, workerBin: '/nonexistent/mediasoup-worker' });
    await expect(attempt).rejects.toBeInstanceOf(TandemError);
    await expect(attempt).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('/nonexistent/mediasoup-worker') });
  });

  it('spawns the binary it is given (a wrong one fails to start), without spoiling later nodes', async () => {
    await expect(createSfuNode({ nodeId: 'n', numWorkers: 1, rtcPort: 0, workerBin: '/bin/true' })).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    const node = await createSfuNode({ nodeId: 'after', numWorkers: 1, rtcPort: 0 });
    await node.request('openRoom', { roomId: 'r' });
    await node.close();
  });

  it('close() announces nodeDown, refuses further requests and resolves once workers are gone', async () => {
    const node = await createSfuNode({ nodeId: 'closing', numWorkers: 1, rtcPort: 0 });
    const down: unknown[] = [];
    node.on('nodeDown', (e) => down.push(e));
    await node.request('openRoom', { roomId: 'r' });
    await node.request('createTransport', { roomId: 'r', peerId: 'p', direction: 'send' });
    const [pid] = node.workerPids();
    expect(isRunning(pid!)).toBe(true);

    await node.close();
    expect(isRunning(pid!)).toBe(false);
    expect(down).toEqual([{ nodeId: 'closing', reason: 'shutting down' }]);
    await expect(node.request('openRoom', { roomId: 'again' })).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await node.close(); // twice is harmless
  });
});
