import { appendFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_CHAT_CHARS } from '@tandem/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatTranscript } from './ChatTranscript.js';
import type { ChatInput, SupportLog } from './SupportTypes.js';
import { FileTranscriptStore, MemoryTranscriptStore } from './TranscriptStore.js';
import { line } from './supportDomain.contract.js';
import { codeOf } from '@tandem/protocol/testkit';

const dirs: string[] = [];
const open: ChatTranscript[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((chat) => chat.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-chat-'));
  dirs.push(dir);
  return dir;
}
const quiet: SupportLog = { warn: () => undefined };
async function fileChat(dir: string, log: SupportLog = quiet): Promise<ChatTranscript> {
  const chat = new ChatTranscript(await FileTranscriptStore.open(dir, log));
  open.push(chat);
  return chat;
}

const SID = 'ses_abc';


describe('ChatTranscript', () => {
  it('stores a message with server time and a fresh id, trimmed', async () => {
    const chat = new ChatTranscript(new MemoryTranscriptStore(), { clock: () => 42 });
    const message = await chat.append(SID, line('  hello there \n', 'c1'));
    expect(message).toMatchObject({ sessionId: SID, from: 'peer_cust', role: 'customer', displayName: 'Alex', text: 'hello there', at: 42 });
    expect(message.messageId).toMatch(/^msg_/);
    expect(await chat.list(SID)).toEqual([message]);
    expect(await chat.list('ses_other')).toEqual([]);
  });

  it('a retried send returns the original and stores nothing twice', async () => {
    const dir = await dataDir();
    const chat = await fileChat(dir);
    const first = await chat.append(SID, line('my printer is on fire', 'c1'));
    const retry = await chat.append(SID, line('my printer is on fire', 'c1'));
    // Same client id from another sender is a different message.
    const other = await chat.append(SID, { ...line('me too', 'c1', 'peer_agent'), role: 'agent', displayName: 'Sam' });
    expect(retry).toEqual(first);
    expect(other.messageId).not.toBe(first.messageId);
    expect(await chat.list(SID)).toEqual([first, other]);
    const stored = (await readFile(join(dir, 'transcripts', `${SID}.jsonl`), 'utf8')).trim().split('\n');
    expect(stored).toHaveLength(2);
  });

  it('is idempotent across a restart too', async () => {
    const dir = await dataDir();
    const before = await fileChat(dir);
    const first = await before.append(SID, line('hello', 'c1'));
    await before.close();
    const after = await fileChat(dir);
    expect(await after.append(SID, line('hello', 'c1'))).toEqual(first);
    expect(await after.list(SID)).toEqual([first]);
  });

  it('concurrent appends keep their order and lose nothing, also on disk', async () => {
    const dir = await dataDir();
    const chat = await fileChat(dir);
    const texts = Array.from({ length: 40 }, (_, i) => `message ${i}`);
    const results = await Promise.all(texts.map((text, i) => chat.append(SID, line(text, `c${i}`))));
    // Concurrent retries of a few of them on top must not add lines.
    await Promise.all([3, 7, 11].map((i) => chat.append(SID, line(`message ${i}`, `c${i}`))));
    expect((await chat.list(SID)).map((m) => m.text)).toEqual(texts);
    expect(new Set(results.map((m) => m.messageId)).size).toBe(texts.length);

    const reopened = await fileChat(dir);
    expect((await reopened.list(SID)).map((m) => m.text)).toEqual(texts);
  });

  it('survives a reopen with a torn trailing line: keeps the rest, warns, and appends cleanly after', async () => {
    const dir = await dataDir();
    const first = await fileChat(dir);
    const kept = [await first.append(SID, line('one', 'c1')), await first.system(SID, 'Sam joined')];
    await first.close();
    await appendFile(join(dir, 'transcripts', `${SID}.jsonl`), '{"messageId":"msg_torn","sessionId":"ses_abc","te');

    const warnings: string[] = [];
    const second = await fileChat(dir, { warn: (_f, m) => warnings.push(m) });
    expect(await second.list(SID)).toEqual(kept);
    expect(warnings).toHaveLength(1);
    const three = await second.append(SID, line('three', 'c3'));
    await second.close();

    const third = await fileChat(dir, { warn: (_f, m) => warnings.push(m) });
    expect(await third.list(SID)).toEqual([...kept, three]);
    expect(warnings).toHaveLength(1);
  });

  it('system lines are marked as Tandem’s own', async () => {
    const chat = new ChatTranscript(new MemoryTranscriptStore());
    const note = await chat.system(SID, 'Sam joined the call');
    expect(note).toMatchObject({ from: 'system', role: 'system', text: 'Sam joined the call' });
    // A peer cannot pose as the system.
    expect(await codeOf(chat.append(SID, { ...line('hi', 'c1'), from: 'system' }))).toBe('BAD_PARAMS');
  });

  it('refuses bad text and bad fields with BAD_PARAMS, storing nothing', async () => {
    const dir = await dataDir();
    const chat = await fileChat(dir);
    const bad: ChatInput[] = [
      line('   \n\t ', 'c1'),
      line('x'.repeat(MAX_CHAT_CHARS + 1), 'c2'),
      line('bell \u0007', 'c3'),
      line('escape \u001b[31m red', 'c4'),
      line('nul \u0000', 'c5'),
      line('c1 control \u0085', 'c6'),
      line('lone cr \r here', 'c7'),
      line('fine text', ''),
      line('fine text', '../../etc/passwd'),
      { ...line('fine text', 'c8'), displayName: '' },
      { ...line('fine text', 'c9'), role: 'system' as 'agent' },
      { ...line('fine text', 'c10'), from: '' },
      { ...line('fine text', 'c11'), text: 42 as unknown as string },
    ];
    for (const input of bad) expect(await codeOf(chat.append(SID, input))).toBe('BAD_PARAMS');
    expect(await codeOf(chat.append('../escape', line('fine text', 'c12')))).toBe('BAD_PARAMS');
    expect(await codeOf(chat.append(SID, null as unknown as ChatInput))).toBe('BAD_PARAMS');
    expect(await chat.list(SID)).toEqual([]);
    expect(await readdir(join(dir, 'transcripts'))).toEqual([]);
  });

  it('accepts the edges: exactly the limit, tabs, newlines, CRLF folded, emoji', async () => {
    const chat = new ChatTranscript(new MemoryTranscriptStore());
    expect((await chat.append(SID, line('x'.repeat(MAX_CHAT_CHARS), 'c1'))).text).toHaveLength(MAX_CHAT_CHARS);
    expect((await chat.append(SID, line('a\tb\r\nc 🎉', 'c2'))).text).toBe('a\tb\nc 🎉');
  });

  it('a failed write is not acknowledged and leaves no message behind', async () => {
    const memory = new MemoryTranscriptStore();
    let fail = true;
    const chat = new ChatTranscript({
      load: (id) => memory.load(id),
      append: async (id, l) => {
        if (fail) throw new Error('disk full');
        await memory.append(id, l);
      },
      release: () => memory.release(),
      close: () => memory.close(),
    });
    await expect(chat.append(SID, line('hello', 'c1'))).rejects.toThrow('disk full');
    expect(await chat.list(SID)).toEqual([]);
    fail = false;
    // The retry is stored now (the failed attempt did not claim the client id).
    const stored = await chat.append(SID, line('hello', 'c1'));
    expect(await chat.list(SID)).toEqual([stored]);
  });

  it('forget frees a session; its transcript loads again from disk', async () => {
    const dir = await dataDir();
    const chat = await fileChat(dir);
    const hello = await chat.append(SID, line('hello', 'c1'));
    await chat.forget(SID);
    expect(await chat.list(SID)).toEqual([hello]);
  });
});
