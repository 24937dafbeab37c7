import type { Page } from 'puppeteer-core';
import { TEST_AGENT } from './tandem.js';

/** Selector of an element by its data-testid. */
export const byTestId = (id: string): string => `[data-testid="${id}"]`;

export async function click(page: Page, testId: string, timeoutMs = 15_000): Promise<void> {
  const el = await page.waitForSelector(`${byTestId(testId)}:not([disabled])`, { visible: true, timeout: timeoutMs });
  await el!.click();
}

export async function textOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => (el as HTMLInputElement).value || el.textContent || '');
}

/**
 * Agent signs in at /agent and opens a support session; returns the customer link.
 * `search` is the console's query string (e.g. `?media=plain`).
 */
export async function agentOpensSession(page: Page, base: string, search = ''): Promise<string> {
  await page.goto(`${base}/agent${search}`);
  await page.waitForSelector(byTestId('login-email'), { visible: true });
  await page.type(byTestId('login-email'), TEST_AGENT.email);
  await page.type(byTestId('login-password'), TEST_AGENT.password);
  await click(page, 'login-submit');
  await click(page, 'new-session');
  await page.waitForFunction(
    (sel: string) => /\/j\/[A-Z0-9]+/.test((document.querySelector(sel) as HTMLInputElement | null)?.value || document.querySelector(sel)?.textContent || ''),
    {},
    byTestId('customer-link'),
  );
  const link = (await textOf(page, byTestId('customer-link'))).trim();
  await page.waitForSelector(byTestId('call-view'), { timeout: 20_000 });
  return link;
}

/** Customer opens the link, sees the preview, and joins. */
export async function customerJoins(page: Page, link: string, name = 'Chen'): Promise<void> {
  await page.goto(link);
  await page.waitForSelector(byTestId('display-name'), { visible: true });
  await page.$eval(byTestId('display-name'), (el) => ((el as HTMLInputElement).value = ''));
  await page.type(byTestId('display-name'), name);
  await click(page, 'join-button');
  await page.waitForSelector(byTestId('call-view'), { timeout: 20_000 });
}

/** Chat lines as shown, in order. */
export async function chatLines(page: Page): Promise<string[]> {
  return page.$$eval(byTestId('chat-line'), (els) => els.map((e) => e.textContent ?? ''));
}

export async function sendChat(page: Page, text: string): Promise<void> {
  await page.waitForSelector(byTestId('chat-input'), { visible: true });
  await page.type(byTestId('chat-input'), text);
  await click(page, 'chat-send');
}

export async function waitForChatLine(page: Page, text: string, timeoutMs = 10_000): Promise<void> {
  await page.waitForFunction(
    (sel: string, t: string) => [...document.querySelectorAll(sel)].some((e) => e.textContent?.includes(t)),
    { timeout: timeoutMs },
    byTestId('chat-line'),
    text,
  );
}
