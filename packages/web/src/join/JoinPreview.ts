import { TypedEmitter } from '@tandem/protocol';
import type { MessageKey } from '../i18n/catalogue.js';
import { i18n } from '../i18n/Localizer.js';
import type { LocalMedia } from '../ui/CallView.js';
import { button, el, field, selfVideo } from '../ui/dom.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { captureLocal, devicesOfKind, saveDevices, savedDevices, stopMedia, type DeviceChoice } from '../ui/LocalCapture.js';
import type { NetworkCheck } from './NetworkCheck.js';

type JoinPreviewEvents = { join: [choice: { displayName: string | undefined; media: LocalMedia }] };

const NAME_KEY = 'tandem.displayName';

/** Before joining: see yourself, pick camera and mic, say your name. */
export class JoinPreview extends TypedEmitter<JoinPreviewEvents> {
  readonly element: HTMLElement;
  readonly #video: HTMLVideoElement;
  readonly #name: HTMLInputElement;
  readonly #camera: HTMLSelectElement;
  readonly #mic: HTMLSelectElement;
  readonly #join: HTMLButtonElement;
  readonly #errors = new ErrorNotice();
  readonly #noMedia: HTMLElement;
  #media: LocalMedia = {};
  #captureRun = 0;
  /** The capture in flight: Join waits for it, so a quick click still joins with camera and mic. */
  #capturing: Promise<void> = Promise.resolve();
  #handedOver = false;
  readonly #network: NetworkCheck | undefined;

  /** `network`: the pre-call network check to show above Join (it runs next to the camera preview). */
  constructor(network?: NetworkCheck) {
    super();
    this.#network = network;
    this.#video = selfVideo('preview-video');
    this.#name = el('input', {
      className: 'input',
      testid: 'display-name',
      attrs: { id: 'display-name', type: 'text', maxlength: '80', autocomplete: 'name' },
      i18nAttrs: { placeholder: 'join.namePlaceholder' },
    });
    this.#name.value = readName();
    this.#camera = el('select', { className: 'input', testid: 'camera-select', attrs: { id: 'camera-select' } });
    this.#mic = el('select', { className: 'input', testid: 'mic-select', attrs: { id: 'mic-select' } });
    this.#camera.addEventListener('change', () => void this.#recapture());
    this.#mic.addEventListener('change', () => void this.#recapture());
    this.#join = button({ className: 'btn btn-primary btn-large', testid: 'join-button', text: 'join.button' }, () => void this.#submit());
    this.#noMedia = el('p', { className: 'hint', text: 'join.noMedia' });
    this.#noMedia.hidden = true;

    const form = el('form', { className: 'preview-form' }, [
      field('display-name', 'join.name', this.#name),
      field('camera-select', 'join.camera', this.#camera),
      field('mic-select', 'join.mic', this.#mic),
      this.#errors.element,
      this.#noMedia,
      ...(network ? [network.element] : []),
      this.#join,
    ]);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#submit();
    });
    this.element = el('section', { className: 'card preview' }, [
      el('h1', { className: 'card-title', text: 'join.heading' }),
      el('p', { className: 'lead', text: 'join.preview' }),
      el('div', { className: 'preview-grid' }, [
        el('div', { className: 'tile tile-preview' }, [this.#video, el('span', { className: 'tile-off', text: 'call.cameraOff' })]),
        form,
      ]),
    ]);
  }

  start(): Promise<void> {
    void this.#network?.start();
    return (this.#capturing = this.#capture(savedDevices()));
  }

  /** Stops the preview; tracks already handed to the call keep running. */
  destroy(): void {
    this.#captureRun++;
    this.#network?.stop();
    if (!this.#handedOver) stopMedia(this.#media);
    this.#video.srcObject = null;
    this.element.remove();
  }

  async #submit(): Promise<void> {
    if (this.#join.disabled) return;
    this.#join.disabled = true;
    // The network test must not compete with the call for the network.
    this.#network?.stop();
    i18n.text(this.#join, 'join.joining');
    await this.#capturing;
    const displayName = this.#name.value.trim() || undefined;
    try {
      if (displayName) localStorage.setItem(NAME_KEY, displayName);
    } catch {
      // Not remembering the name is harmless.
    }
    this.#handedOver = true;
    this.emit('join', { displayName, media: this.#media });
  }

  /** The page calls this when joining failed, so the user can try again. */
  joinFailed(error: unknown): void {
    this.#handedOver = false;
    this.#join.disabled = false;
    i18n.text(this.#join, 'join.button');
    this.#errors.show(error);
  }

  async #recapture(): Promise<void> {
    const choice = { videoDeviceId: this.#camera.value || undefined, audioDeviceId: this.#mic.value || undefined };
    saveDevices(choice);
    stopMedia(this.#media);
    this.#media = {};
    await (this.#capturing = this.#capture(choice));
  }

  async #capture(choice: DeviceChoice): Promise<void> {
    const run = ++this.#captureRun;
    const result = await captureLocal(choice);
    // A newer capture (or leaving the preview) supersedes this one.
    if (run !== this.#captureRun) {
      stopMedia(result.media);
      return;
    }
    this.#media = result.media;
    this.#video.srcObject = result.media.video ? new MediaStream([result.media.video]) : null;
    this.#video.parentElement?.setAttribute('data-paused', String(!result.media.video));
    this.#video.play().catch(() => undefined);
    this.#noMedia.hidden = !result.error;
    if (result.error) this.#errors.show(result.error);
    else this.#errors.clear();
    await this.#fillDevices();
  }

  async #fillDevices(): Promise<void> {
    const current = {
      video: this.#media.video?.getSettings().deviceId,
      audio: this.#media.audio?.getSettings().deviceId,
    };
    fillSelect(this.#camera, await devicesOfKind('videoinput'), current.video);
    fillSelect(this.#mic, await devicesOfKind('audioinput'), current.audio);
  }
}

function fillSelect(select: HTMLSelectElement, devices: MediaDeviceInfo[], selected: string | undefined): void {
  const options = devices.map((device, index) => {
    const option = el('option', { attrs: { value: device.deviceId } });
    // Device labels come from the system; unlabeled ones get a numbered name.
    if (device.label) option.textContent = device.label;
    else i18n.text(option, 'join.device', { n: index + 1 });
    return option;
  });
  if (options.length === 0) options.push(el('option', { text: 'join.noDevice', attrs: { value: '' } }));
  select.replaceChildren(...options);
  select.disabled = devices.length === 0;
  if (selected && devices.some((device) => device.deviceId === selected)) select.value = selected;
}

function readName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}
