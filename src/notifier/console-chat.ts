import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { exportFileName } from './render-reports.js';
import type { Runtime } from '../kernel/kernel.js';
import type { BotEvent } from '../kernel/events.js';
import type { ChatAdapter } from './chat.js';
import { htmlToText } from './format.js';
import { renderCard, renderEvent, renderView, type Rendered } from './render.js';
import { commit, Deliverer, reply } from './delivery.js';
import { chartable, writeCardChartFile } from './charts/card-png.js';
import { deliveryLevel, isMuted, settingsOf, topicOf } from '../store/settings.js';
import type { ChatRouter } from './router.js';

/**
 * The embedded default chat when no Telegram config exists: cards and messages print to stdout,
 * commands (`/status`) and button presses (`paper <cardId>`, `skip <cardId>`, or the raw
 * `v1:paper:<cardId>`) are typed on stdin. The local terminal is the owner, so there is no
 * allow-list here; live trading refuses this chat.
 */
export class ConsoleChat implements ChatAdapter {
  readonly kind = 'console' as const;
  #rl: Interface | undefined;
  #unsubscribe: (() => void) | undefined;
  #buf: string[] = [];
  #scheduled = false;
  #pending: Promise<void> = Promise.resolve();
  readonly #deliverer: Deliverer;

  constructor(
    readonly rt: Runtime,
    readonly router: ChatRouter,
    readonly io: { input: NodeJS.ReadableStream | null; output: NodeJS.WritableStream } = { input: process.stdin, output: process.stdout },
  ) {
    // Printed lines go through the same write-ahead outbox as Telegram messages.
    this.#deliverer = new Deliverer(rt.outbox, rt.store, async (head) => {
      // The owner's /settings hold here too: what is off, and muted instruments' cards, are not printed.
      const settings = settingsOf(rt.store.data);
      if (deliveryLevel(settings, topicOf(head), rt.clock.now()) === 'off') return [head.id];
      if (head.kind === 'text') this.#print({ html: head.html, buttons: head.buttons });
      else if (head.kind === 'card') {
        const found = rt.engine.cards.get(head.cardId);
        const card = found && !isMuted(settings, found.symbol, found.createdAt) ? found : undefined;
        if (card) this.#print(renderCard(card, rt.config.quote));
        // chat.charts: the console's photo is a PNG file next to the state file.
        const chart = card && rt.history && chartable(card) ? await writeCardChartFile(card, rt.history, join(dirname(rt.store.path), 'charts'), rt.log) : null;
        if (chart) this.#out(`📈 chart: ${chart}\n`);
      }
      return [head.id];
    }, rt.log, { pauseMs: 0 });
  }

  async start(): Promise<void> {
    const quote = this.rt.config.quote;
    this.#unsubscribe = this.rt.bus.subscribe((e: BotEvent) => {
      // Entries and exits of auto-traded replays are many; cards and alerts are what the owner reads.
      if (e.type === 'entry' || e.type === 'exit') {
        if (this.rt.config.execution.autoTrade === 'paper') return;
      }
      if (e.type === 'card') {
        if (!e.quiet) this.rt.outbox.enqueue({ kind: 'card', cardId: e.card.id });
      } else {
        const r = renderEvent(e, quote);
        if (r) this.rt.outbox.enqueue({ kind: 'text', html: r.html, buttons: r.buttons });
      }
    });
    this.#deliverer.start();
    if (this.io.input) {
      this.#rl = createInterface({ input: this.io.input, terminal: false });
      this.#rl.on('line', (line) => {
        this.#pending = this.#pending.then(() => this.#handle(line.trim())).catch((err) => {
          this.rt.log.error({ err }, 'console command failed');
        });
      });
    }
  }

  async #handle(line: string): Promise<void> {
    if (!line) return;
    if (line.startsWith('/')) {
      const [name, ...rest] = line.slice(1).split(/\s+/);
      const view = await this.router.command(name.toLowerCase(), rest.join(' '));
      if (view.kind === 'export') {
        // The console's document: a file next to the state, its path printed.
        const file = join(dirname(this.rt.store.path), 'exports', exportFileName(view.at));
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, view.csv);
        this.#out(`${htmlToText(renderView(view, this.rt.config.quote).html)}\n→ ${file}`);
        this.#write();
        return;
      }
      reply(this.rt, renderView(view, this.rt.config.quote));
      if (name.toLowerCase() === 'stop') {
        const f = this.router.stopFollowUp();
        if (f) reply(this.rt, f);
      }
      await commit(this.rt);
      return;
    }
    const [verb, id] = line.split(/\s+/);
    const data = verb.startsWith('v1:') ? verb : `v1:${verb.toLowerCase()}:${id ?? ''}`;
    const r = await this.router.tap(data);
    if (r.reply) reply(this.rt, r.reply);
    // Like a Telegram toast: shown once what it reports is on disk.
    const saved = await commit(this.rt);
    this.#out(`→ ${r.text}${saved ? '' : ' ⚠️ not saved yet: the state file cannot be written'}`);
    this.#write();
  }

  #print(r: Rendered): void {
    let text = htmlToText(r.html);
    for (const row of r.buttons) {
      text += '\n' + row.map((b) => `[${b.text}: ${b.data.split(':').slice(1).join(' ')}]`).join(' ');
    }
    this.#out(text + '\n');
  }

  #out(text: string): void {
    this.#buf.push(text);
    // Batch writes: a replay prints bursts of cards between event-loop turns; one write per card
    // is slow on a pipe. Live, the next turn comes at once, so nothing waits.
    if (this.#buf.length >= 64) this.#write();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#write());
    }
  }

  #write(): void {
    this.#scheduled = false;
    if (!this.#buf.length) return;
    this.io.output.write(this.#buf.join('\n') + '\n');
    this.#buf = [];
  }

  async flush(): Promise<void> {
    await this.#pending;
    await this.#deliverer.flush();
    this.#write();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#rl?.close();
    await this.#pending;
    await this.#deliverer.stop();
    this.#write();
  }
}
