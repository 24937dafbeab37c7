import { randomBytes } from 'node:crypto';
import { TandemError } from '@tandem/protocol';
import type { AgentStore } from './AgentStore.js';
import { hashPassword, needsRehash, spendHash, verifyPassword } from './PasswordHash.js';
import type { AgentAccount, AgentRecord, NewAgent } from './SupportTypes.js';

export const MIN_PASSWORD_CHARS = 10;
/** Matches LoginBody's limit; also bounds the work one hash costs. */
export const MAX_PASSWORD_CHARS = 1024;
const MAX_EMAIL_CHARS = 254;
const MAX_NAME_CHARS = 80;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function account(record: AgentRecord): AgentAccount {
  return { agentId: record.agentId, email: record.email, displayName: record.displayName };
}

function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_CHARS || password.length > MAX_PASSWORD_CHARS) {
    throw new TandemError('BAD_PARAMS', `password must be ${MIN_PASSWORD_CHARS} to ${MAX_PASSWORD_CHARS} characters`);
  }
}

/** Agents' accounts. Nothing it returns or throws carries a password or a hash. */
export class AgentDirectory {
  /** Serializes changes so "is this email taken?" and the insert are one step. */
  #changes: Promise<unknown> = Promise.resolve();

  constructor(readonly store: AgentStore) {}

  async addAgent(input: NewAgent): Promise<AgentAccount> {
    const email = typeof input.email === 'string' ? normalizeEmail(input.email) : '';
    const displayName = typeof input.displayName === 'string' ? input.displayName.trim() : '';
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > MAX_EMAIL_CHARS) {
      throw new TandemError('BAD_PARAMS', 'email is not a valid address');
    }
    if (displayName.length < 1 || displayName.length > MAX_NAME_CHARS) {
      throw new TandemError('BAD_PARAMS', `displayName must be 1 to ${MAX_NAME_CHARS} characters`);
    }
    checkPassword(input.password);
    const passwordHash = await hashPassword(input.password);
    return this.#serialize(async () => {
      if (await this.store.findByEmail(email)) throw new TandemError('BAD_STATE', 'an agent with this email exists');
      const record: AgentRecord = { agentId: `agt_${randomBytes(12).toString('base64url')}`, email, displayName, passwordHash };
      await this.store.put(record);
      return account(record);
    });
  }

  async setPassword(agentId: string, password: string): Promise<void> {
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    await this.#serialize(async () => {
      const record = await this.store.get(agentId);
      if (!record) throw new TandemError('NOT_FOUND', 'no such agent');
      await this.store.put({ ...record, passwordHash });
    });
  }

  /** The account when the password matches; null otherwise, in about the same time either way. */
  async verify(email: string, password: string): Promise<AgentAccount | null> {
    if (typeof email !== 'string' || typeof password !== 'string' || password.length > MAX_PASSWORD_CHARS) return null;
    const record = await this.store.findByEmail(normalizeEmail(email));
    if (!record) {
      await spendHash(password);
      return null;
    }
    if (!(await verifyPassword(password, record.passwordHash))) return null;
    // Best effort: a failed upgrade must not fail a correct login.
    if (needsRehash(record.passwordHash)) await this.#upgradeHash(record, password).catch(() => undefined);
    return account(record);
  }

  async get(agentId: string): Promise<AgentAccount | null> {
    const record = await this.store.get(agentId);
    return record ? account(record) : null;
  }

  async list(): Promise<AgentAccount[]> {
    const records = await this.store.list();
    return records.map(account).sort((a, b) => a.email.localeCompare(b.email));
  }

  /** A login with old parameters is the one moment we hold the password: re-hash with today's. */
  async #upgradeHash(record: AgentRecord, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.#serialize(async () => {
      const current = await this.store.get(record.agentId);
      if (current?.passwordHash === record.passwordHash) await this.store.put({ ...current, passwordHash });
    });
  }

  #serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#changes.then(work);
    this.#changes = run.catch(() => undefined);
    return run;
  }
}
