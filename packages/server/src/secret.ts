import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The token-signing secret. Production sets TANDEM_SECRET; a single node started
 * without it gets one generated once into DATA_DIR (0600), so the quick start works
 * and tokens survive restarts.
 */
export async function tokenSecret(configured: string | undefined, dataDir: string): Promise<{ secret: string; generated: boolean }> {
  if (configured) return { secret: configured, generated: false };
  const file = join(dataDir, '.secret');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 32) return { secret: stored, generated: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, secret, { mode: 0o600, flag: 'w' });
  return { secret, generated: true };
}
