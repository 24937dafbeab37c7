import { TypedEmitter } from '@tandem/protocol';
import type { MessageKey } from '../i18n/catalogue.js';
import { i18n } from '../i18n/Localizer.js';
import { button, el } from '../ui/dom.js';
import { describeNode, type NodeAction, type NodeView, type Text } from './nodeView.js';
import type { OpsNode } from './OpsTypes.js';

type NodeTableEvents = { action: [nodeId: string, action: NodeAction] };

const COLUMNS: readonly MessageKey[] = [
  'ops.colNode', 'ops.colState', 'ops.colAge', 'ops.colRooms', 'ops.colPeers',
  'ops.colConsumers', 'ops.colCpu', 'ops.colBitrate', 'ops.colAction',
];

/**
 * The cluster's nodes, one row each. Rows are updated in place on every refresh, so a
 * button under the operator's pointer or focus does not vanish every two seconds.
 */
export class NodeTable extends TypedEmitter<NodeTableEvents> {
  readonly element: HTMLElement;
  readonly #body = el('tbody');
  readonly #empty = el('p', { className: 'hint ops-empty', testid: 'ops-empty', text: 'ops.empty' });
  readonly #rows = new Map<string, NodeRow>();

  constructor() {
    super();
    const head = el('thead', {}, [el('tr', {}, COLUMNS.map((key) => el('th', { text: key, attrs: { scope: 'col' } })))]);
    const table = el('table', { className: 'ops-table', testid: 'ops-nodes' }, [
      el('caption', { className: 'ops-caption', text: 'ops.nodes' }),
      head,
      this.#body,
    ]);
    this.element = el('div', { className: 'ops-table-wrap' }, [table, this.#empty]);
    this.#empty.hidden = true;
  }

  show(nodes: readonly OpsNode[]): void {
    const seen = new Set<string>();
    for (const node of nodes) {
      const view = describeNode(node);
      seen.add(view.nodeId);
      let row = this.#rows.get(view.nodeId);
      if (!row) {
        row = new NodeRow(view.nodeId, (action) => this.emit('action', view.nodeId, action));
        this.#rows.set(view.nodeId, row);
      }
      row.update(view);
      this.#body.append(row.element); // appending moves it: rows follow the server's order
    }
    for (const [nodeId, row] of this.#rows) {
      if (seen.has(nodeId)) continue;
      row.element.remove();
      this.#rows.delete(nodeId);
    }
    this.#empty.hidden = nodes.length > 0;
  }

  /** Disables a row's button while its request is in flight. */
  setBusy(nodeId: string, busy: boolean): void {
    this.#rows.get(nodeId)?.setBusy(busy);
  }
}

class NodeRow {
  readonly element: HTMLTableRowElement;
  readonly #state = el('span', { className: 'ops-state' });
  readonly #pending = el('span', { className: 'ops-pending', testid: 'ops-pending' });
  readonly #age = el('td');
  readonly #rooms = el('td', { className: 'num', testid: 'ops-rooms' });
  readonly #peers = el('td', { className: 'num', testid: 'ops-peers' });
  readonly #consumers = el('td', { className: 'num', testid: 'ops-consumers' });
  readonly #cpu = el('td', { className: 'num', testid: 'ops-cpu' });
  readonly #bitrate = el('td', { className: 'num', testid: 'ops-bitrate' });
  readonly #actionCell = el('td');
  readonly #drain: HTMLButtonElement;
  readonly #resume: HTMLButtonElement;

  constructor(nodeId: string, onAction: (action: NodeAction) => void) {
    this.#drain = button({ className: 'btn btn-light btn-small', testid: 'ops-drain', text: 'ops.drain' }, () => onAction('drain'));
    this.#resume = button({ className: 'btn btn-light btn-small', testid: 'ops-resume', text: 'ops.resume' }, () => onAction('resume'));
    const name = el('td', { className: 'ops-node-id' });
    name.textContent = nodeId; // an id, not text to translate
    this.element = el('tr', { testid: 'ops-node-row' }, [
      name,
      el('td', {}, [this.#state, this.#pending]),
      this.#age, this.#rooms, this.#peers, this.#consumers, this.#cpu, this.#bitrate, this.#actionCell,
    ]);
    this.element.dataset.nodeId = nodeId;
  }

  update(view: NodeView): void {
    this.element.dataset.state = view.state;
    setText(this.#state, view.stateText);
    this.#pending.hidden = view.pending === null;
    if (view.pending) setText(this.#pending, view.pending);
    setText(this.#age, view.age);
    this.#rooms.textContent = view.rooms;
    this.#peers.textContent = view.peers;
    setText(this.#consumers, view.consumers);
    setText(this.#cpu, view.cpu);
    setText(this.#bitrate, view.bitrate);
    // Only the applicable button is in the row, so a test or a keyboard never meets a dead one.
    const wanted = view.action === 'drain' ? this.#drain : this.#resume;
    if (this.#actionCell.firstChild !== wanted) this.#actionCell.replaceChildren(wanted);
  }

  setBusy(busy: boolean): void {
    this.#drain.disabled = busy;
    this.#resume.disabled = busy;
  }
}

function setText(node: HTMLElement, text: Text): void {
  i18n.text(node, text.key, text.vars);
}
