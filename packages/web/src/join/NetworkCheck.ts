import { NetworkTest, type NetworkReport, type prepareDevice } from '@tandem/client';
import type { MessageKey } from '../i18n/catalogue.js';
import { i18n } from '../i18n/Localizer.js';
import { el } from '../ui/dom.js';

export interface NetworkCheckOptions {
  serverUrl: string;
  /** The call token the customer will join with. */
  token: string;
  /** The device the page is already loading for the call. */
  device: ReturnType<typeof prepareDevice> | undefined;
}

/**
 * The preview's network verdict: runs the pre-call test next to the camera preview and
 * says in plain words whether video will work. It never holds up Join: Join stops it.
 * The element carries the figures as data attributes (tests, support screenshots).
 */
export class NetworkCheck {
  readonly element: HTMLElement;
  readonly #verdict: HTMLElement;
  readonly #figures: HTMLElement;
  readonly #why: HTMLElement;
  #test: NetworkTest | undefined;

  constructor(private readonly options: NetworkCheckOptions) {
    this.#verdict = el('p', { className: 'network-check-verdict', testid: 'network-verdict', text: 'network.checking' });
    this.#figures = el('p', { className: 'network-figures', testid: 'network-figures' });
    this.#why = el('p', { className: 'hint', testid: 'network-why' });
    this.element = el('div', { className: 'network-check', testid: 'network-check', attrs: { 'data-verdict': 'checking', role: 'status' } }, [
      this.#verdict,
      this.#figures,
      this.#why,
    ]);
    this.#figures.hidden = true;
    this.#why.hidden = true;
  }

  /** Starts the test; resolves when its verdict is shown (or it was stopped). */
  async start(): Promise<void> {
    if (this.#test) return;
    const device = this.options.device;
    if (!device) return this.#show(null);
    const test = (this.#test = new NetworkTest({ serverUrl: this.options.serverUrl, token: this.options.token, device }));
    const report = await test.run();
    if (!test.cancelled) this.#show(report);
  }

  /** Join was pressed (or the preview left): free the test's connections at once. */
  stop(): void {
    this.#test?.cancel();
    // A verdict never reached is not worth leaving on screen as "checking".
    if (this.element.dataset.verdict === 'checking') this.element.hidden = true;
  }

  #show(report: NetworkReport | null): void {
    const verdict = report?.verdict ?? 'unknown';
    const data = this.element.dataset;
    data.verdict = verdict;
    i18n.text(this.#verdict, `network.${verdict}`);
    if (!report) return;
    data.via = report.via ?? '';
    data.reachable = (Object.keys(report.reachable) as (keyof NetworkReport['reachable'])[])
      .filter((leg) => report.reachable[leg])
      .join(',');
    if (report.rttMs !== null) data.rttMs = String(report.rttMs);
    if (report.lossPercent !== null) data.lossPercent = String(report.lossPercent);
    if (report.uploadKbps !== null) data.uploadKbps = String(report.uploadKbps);
    if (report.problem) data.problem = report.problem;

    const parts: HTMLElement[] = [];
    const part = (key: MessageKey, n?: number): void => void parts.push(el('span', { text: key, ...(n === undefined ? {} : { vars: { n } }) }));
    if (report.rttMs !== null) part('network.rtt', report.rttMs);
    if (report.lossPercent !== null) part('network.loss', report.lossPercent);
    if (report.uploadKbps !== null) {
      if (report.uploadKbps >= 1000) part('network.uploadMbps', Math.round(report.uploadKbps / 100) / 10);
      else part('network.uploadKbps', report.uploadKbps);
    }
    if (report.via) part(`network.via.${report.via}`);
    this.#figures.replaceChildren(...parts);
    this.#figures.hidden = parts.length === 0;

    const why = verdict === 'blocked' ? ['network.blockedHint' as const] : report.weaknesses.map((w) => `network.why.${w}` as const);
    this.#why.replaceChildren(...why.map((key) => el('span', { text: key })));
    this.#why.hidden = why.length === 0;
  }
}
