import { button, el, field } from '../ui/dom.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { i18n, t } from '../i18n/Localizer.js';
import { NodeTable } from './NodeTable.js';
import { opsReason, type NodeAction } from './nodeView.js';
import type { OpsApi } from './OpsApi.js';
import { isUsableToken, type OpsToken } from './OpsToken.js';

/** Matches the nodes' heartbeat period: refreshing faster would show nothing new. */
export const REFRESH_MS = 2_000;

export interface OpsPageDeps {
  api: OpsApi;
  token: OpsToken;
  confirm: (question: string) => boolean;
}

/**
 * The ops console at /ops: asks for the ops token, then shows the cluster's media nodes,
 * refreshed every two seconds, with a drain / resume button per node.
 */
export class OpsPage {
  readonly #errors = new ErrorNotice();
  #table: NodeTable | null = null;
  #token: string | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly app: HTMLElement,
    private readonly deps: OpsPageDeps,
  ) {}

  start(): void {
    const token = this.deps.token.load();
    if (token) this.#showConsole(token);
    else this.#showLogin();
  }

  #showLogin(error?: unknown): void {
    this.#stop();
    const notice = new ErrorNotice();
    if (error !== undefined) notice.show(opsReason(error, 'list'));
    const input = el('input', {
      className: 'input',
      testid: 'ops-token',
      attrs: { id: 'ops-token', type: 'password', autocomplete: 'off', spellcheck: 'false', maxlength: '1024', required: '' },
    });
    const submit = el('button', { className: 'btn btn-primary btn-large', testid: 'ops-login', text: 'ops.login', attrs: { type: 'submit' } });
    const form = el('form', { className: 'login-form' }, [
      field('ops-token', 'ops.tokenLabel', input),
      el('p', { className: 'hint', text: 'ops.tokenHint' }),
      notice.element,
      submit,
    ]);
    form.noValidate = true;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!isUsableToken(token)) return notice.show('OPS_TOKEN_REJECTED');
      submit.disabled = true;
      i18n.text(submit, 'ops.checking');
      this.deps.api.listNodes(token).then(
        (nodes) => {
          this.deps.token.save(token);
          this.#showConsole(token);
          this.#table?.show(nodes);
        },
        (failure: unknown) => {
          notice.show(opsReason(failure, 'list'));
          submit.disabled = false;
          i18n.text(submit, 'ops.login');
          input.select();
        },
      );
    });
    this.app.replaceChildren(el('div', { className: 'centered' }, [
      el('section', { className: 'card login' }, [el('h1', { className: 'card-title', text: 'ops.heading' }), form]),
    ]));
    input.focus();
  }

  #showConsole(token: string): void {
    this.#token = token;
    this.#errors.clear();
    const table = new NodeTable();
    table.on('action', (nodeId, action) => void this.#act(nodeId, action));
    this.#table = table;
    const lock = button({ className: 'btn btn-light', testid: 'ops-lock', text: 'ops.lock' }, () => {
      this.deps.token.forget();
      this.#showLogin();
    });
    this.app.replaceChildren(el('section', { className: 'card ops' }, [
      el('div', { className: 'console-bar' }, [el('h1', { className: 'card-title', text: 'ops.heading' }), lock]),
      this.#errors.element,
      table.element,
    ]));
    void this.#refresh();
  }

  async #refresh(): Promise<void> {
    clearTimeout(this.#timer);
    const token = this.#token;
    if (!token) return;
    try {
      const nodes = await this.deps.api.listNodes(token);
      if (token !== this.#token) return; // locked meanwhile
      this.#table?.show(nodes);
      this.#errors.clear();
    } catch (error) {
      if (token !== this.#token) return;
      const reason = opsReason(error, 'list');
      if (reason === 'OPS_TOKEN_REJECTED' || reason === 'OPS_DISABLED') {
        // The token was rotated or the API switched off: asking again is the only way on.
        this.deps.token.forget();
        return this.#showLogin(error);
      }
      this.#errors.show(reason); // e.g. Redis down: keep the last table, keep trying
    }
    this.#timer = setTimeout(() => void this.#refresh(), REFRESH_MS);
  }

  async #act(nodeId: string, action: NodeAction): Promise<void> {
    const token = this.#token;
    if (!token) return;
    if (action === 'drain' && !this.deps.confirm(t('ops.confirmDrain', { nodeId }))) return;
    this.#table?.setBusy(nodeId, true);
    try {
      await (action === 'drain' ? this.deps.api.drain(token, nodeId) : this.deps.api.resume(token, nodeId));
      this.#errors.clear();
    } catch (error) {
      this.#errors.show(opsReason(error, 'change'));
    } finally {
      this.#table?.setBusy(nodeId, false);
    }
    await this.#refresh();
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#token = null;
    this.#table = null;
  }
}
