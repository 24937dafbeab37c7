import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A support conversation's worth of speech, for the fake microphone. Chromium's own
 * fake mic is a periodic beep over silence, which Opus codes as music (CELT): its
 * in-band FEC, a SILK (voice) feature, never shows, so audio figures under loss would
 * measure a signal no customer sends. Synthesised by espeak-ng (Debian, installed by
 * setup) and cached, so every run plays the same audio.
 */
const LINES = [
  'Hello, thanks for calling support. Can you tell me what you see on your screen right now?',
  'I see an error that says the payment could not be processed.',
  "Okay, let's open the settings page together, and then we will check the network.",
].join(' ');

const run = promisify(execFile);

/** Path of the speech WAV (made on first use), or undefined when espeak-ng is missing. */
export async function speechSample(): Promise<string | undefined> {
  const key = createHash('sha256').update(LINES).digest('hex').slice(0, 12);
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tandem', 'speech');
  const file = join(dir, `support-call-${key}.wav`);
  if (await access(file).then(() => true, () => false)) return file;
  await mkdir(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  try {
    await run('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', partial, LINES]);
  } catch {
    return undefined;
  }
  await rename(partial, file);
  return file;
}
