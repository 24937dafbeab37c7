import type { PageStorage } from '../ui/page.js';

const TOKEN_KEY = 'tandem.ops.token';

/** What can travel in an Authorization header: visible ASCII, no spaces, of a sane length. */
export function isUsableToken(token: string): boolean {
  return /^[\x21-\x7e]{1,1024}$/.test(token);
}

/** The ops token of this tab: in sessionStorage, so it survives a reload but not the tab. */
export class OpsToken {
  constructor(private readonly storage: Pick<PageStorage, 'get' | 'set' | 'remove'>) {}

  load(): string | null {
    const token = this.storage.get(TOKEN_KEY);
    if (token !== null && isUsableToken(token)) return token;
    this.forget();
    return null;
  }

  save(token: string): void {
    this.storage.set(TOKEN_KEY, token);
  }

  forget(): void {
    this.storage.remove(TOKEN_KEY);
  }
}
