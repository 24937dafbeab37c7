import type { Room } from '@tandem/client';
import '../styles.css';
import { i18n } from '../i18n/Localizer.js';
import { required } from './dom.js';

declare global {
  interface Window {
    /** The current call, for end-to-end tests to read stats. */
    tandemRoom?: Room | undefined;
  }
}

/** Common start of every page: text in the user's language and the language control. */
export function startPage(): HTMLElement {
  i18n.apply(document);
  required('[data-slot="lang"]').replaceWith(i18n.createSwitch());
  return required('#app');
}

/** sessionStorage that tolerates being disabled (then nothing survives a reload, nothing breaks). */
export const pageStorage = {
  get(key: string): string | null {
    try {
      return sessionStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string): void {
    try {
      sessionStorage.setItem(key, value);
    } catch {
      // See above.
    }
  },
  remove(key: string): void {
    try {
      sessionStorage.removeItem(key);
    } catch {
      // See above.
    }
  },
};
export type PageStorage = typeof pageStorage;
