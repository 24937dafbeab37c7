import { TypedEmitter, type LoginReply } from '@tandem/protocol';
import type { TandemApi } from '@tandem/client';
import type { MessageKey } from '../i18n/catalogue.js';
import { i18n } from '../i18n/Localizer.js';
import { el, field } from '../ui/dom.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';

type LoginFormEvents = { signedIn: [reply: LoginReply] };

/** Agent sign-in: email and password, errors said plainly (wrong password, too many tries). */
export class LoginForm extends TypedEmitter<LoginFormEvents> {
  readonly element: HTMLElement;
  readonly #email: HTMLInputElement;
  readonly #password: HTMLInputElement;
  readonly #submit: HTMLButtonElement;
  readonly #errors = new ErrorNotice();

  constructor(private readonly api: TandemApi) {
    super();
    this.#email = el('input', {
      className: 'input',
      testid: 'login-email',
      attrs: { id: 'login-email', type: 'email', autocomplete: 'username', required: '', maxlength: '254' },
    });
    this.#password = el('input', {
      className: 'input',
      testid: 'login-password',
      attrs: { id: 'login-password', type: 'password', autocomplete: 'current-password', required: '', maxlength: '1024' },
    });
    this.#submit = el('button', { className: 'btn btn-primary btn-large', testid: 'login-submit', text: 'agent.login', attrs: { type: 'submit' } });
    const form = el('form', { className: 'login-form' }, [
      field('login-email', 'agent.email', this.#email),
      field('login-password', 'agent.password', this.#password),
      this.#errors.element,
      this.#submit,
    ]);
    form.noValidate = true;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#signIn();
    });
    this.element = el('section', { className: 'card login' }, [el('h1', { className: 'card-title', text: 'agent.login' }), form]);
  }

  focus(): void {
    this.#email.focus();
  }

  async #signIn(): Promise<void> {
    const email = this.#email.value.trim();
    const password = this.#password.value;
    // The server would refuse these too; saying so here saves a round trip.
    if (email.length < 3 || password.length === 0) return this.#errors.show('BAD_CREDENTIALS');
    this.#submit.disabled = true;
    i18n.text(this.#submit, 'agent.signingIn');
    try {
      const reply = await this.api.login(email, password);
      this.#errors.clear();
      this.emit('signedIn', reply);
    } catch (error) {
      this.#errors.show(error);
      this.#password.select();
    } finally {
      this.#submit.disabled = false;
      i18n.text(this.#submit, 'agent.login');
    }
  }
}

