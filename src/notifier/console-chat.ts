import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { exportFileName } from './render-reports.js';
import type { Runtime } from '../kernel/kernel.js';
import type { BotEvent } from '../kernel/events.js';
import type { Card } from '../kernel/card.js';
import type { ChatAdapter } from './chat.js';
import { esc, htmlToText } from './format.js';
import { renderCard, renderEvent, type Rendered } from './render.js';
import { renderView } from './features/index.js';
import { commit, Deliverer, reply } from './delivery.js';
import { chartable, writeCardChartFile } from './charts/card-png.js';
import { deliveryLevel, isMuted, settingsOf, topicOf } from '../store/settings.js';
import type { ChatRouter } from './router.js';

/** Taps whose id is a card: they also take the card's number (`paper 2`) or `last`. */
const CARD_VERBS = new Set(['paper', 'live', 'skip', 'confirm', 'cancel']);
/** The line that resumes a paused replay (EOF does too). */
const RESUME_WORDS = new Set(['next', 'n', 'continue']);

/**
 * The embedded default chat when no Telegram config exists: cards and messages print to stdout,
 * commands (`/status`) and button presses are read line by line from stdin — a terminal or a
 * pipe. Cards are numbered as they are printed (`Card #1`, `#2` …, per run), so a tap takes the
 * number, `last` (the last card printed with trade buttons) or the card id: `paper 1`,
 * `skip last`, `paper <cardId>`, or the raw `v1:paper:<cardId>`. The local terminal is the owner,
 * so there is no allow-list here; live trading refuses this chat.
 *
 * With `holdInput` (replay `--pause-on-card`) lines are only read while the replay is paused
 * ({@link waitForResume}); `next` (or the end of the input) resumes it.
 */
export class ConsoleChat implements ChatAdapter {
  readonly kind = 'console' as const;
  #rl: Interface | undefined;
  #unsubscribe: (() => void) | undefined;
  #buf: string[] = [];
  #scheduled = false;
  #pending: Promise<void> = Promise.resolve();
  readonly #deliverer: Deliverer;
  /** Card ids in print order: `#n` is `#cards[n − 1]`. */
  readonly #cards: string[] = [];
  readonly #cardNo = new Map<string, number>();
  /** The last card printed with trade buttons (`paper last`). */
  #lastTradable: string | undefined;
  /** Lines read and not handled yet (held while a paused replay runs on). */
  readonly #lines: string[] = [];
  #eof = false;
  #resume: (() => void) | undefined;

  constructor(
    readonly rt: Runtime,
    readonly router: ChatRouter,
    readonly io: { input: NodeJS.ReadableStream | null; output: NodeJS.WritableStream; holdInput?: boolean } = { input: process.stdin, output: process.stdout },
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
        if (card) this.#printCard(card);
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
        this.#lines.push(line.trim());
        this.#drain();
      });
      this.#rl.on('close', () => {
        this.#eof = true;
        this.#drain();
      });
    } else this.#eof = true;
  }

  /** True once the input has ended (or there is none): a paused replay cannot wait for it. */
  get inputEnded(): boolean {
    return this.#eof && !this.#lines.length;
  }

  /**
   * Pauses until the owner types `next` (or the input ends): meanwhile commands and taps are
   * handled. `at`: the replay's time, ms UTC, for the prompt.
   */
  async waitForResume(at: number): Promise<void> {
    await this.flush();
    const n = this.#lastTradable ? this.#cardNo.get(this.#lastTradable) : undefined;
    this.#out(`⏸ Replay paused at ${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC` +
      `${n ? ` on card #${n}` : ''}. Type commands or taps (paper ${n ?? 'last'}, /positions …); "next" resumes.`);
    this.#write();
    await new Promise<void>((resolve) => {
      this.#resume = resolve;
      this.#drain();
    });
  }

  /** Hands read lines to the command handler, one at a time, in order; resumes on `next` or EOF. */
  #drain(): void {
    const held = this.io.holdInput && !this.#resume;
    while (!held && this.#lines.length) {
      const line = this.#lines.shift()!;
      if (this.#resume && RESUME_WORDS.has(line.toLowerCase())) {
        this.#resumeAfterPending();
        return;
      }
      this.#pending = this.#pending.then(() => this.#handle(line)).catch((err) => {
        this.rt.log.error({ err }, 'console command failed');
      });
    }
    if (this.#resume && this.#eof && !this.#lines.length) this.#resumeAfterPending();
  }

  /** Resumes a paused replay once every line before `next` has been handled and printed. */
  #resumeAfterPending(): void {
    const resume = this.#resume;
    this.#resume = undefined;
    this.#pending = this.#pending.then(async () => {
      await this.#deliverer.flush();
      this.#write();
      resume?.();
    });
  }

  async #handle(line: string): Promise<void> {
    if (!line) return;
    await this.#handleLine(line);
    // What a line printed is out before the next line is read (a piped script reads in order).
    await this.#deliverer.flush();
    this.#write();
  }

  async #handleLine(line: string): Promise<void> {
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
      if (view.kind === 'pnl' && this.rt.history && view.equity.length >= 2) {
        // The console's photo: the equity curve as a PNG file next to the state, its path printed.
        const file = join(dirname(this.rt.store.path), 'charts', `equity-${new Date(this.rt.clock.now()).toISOString().replace(/[:.]/g, '-')}.png`);
        mkdirSync(dirname(file), { recursive: true });
        const { renderEquityChartAsync } = await import('./charts/equity-chart.js');
        writeFileSync(file, await renderEquityChartAsync(view.equity, { title: `Realized equity (${this.rt.config.quote})` }));
        reply(this.rt, { html: `📈 equity chart: ${esc(file)}`, buttons: [] });
      }
      if (name.toLowerCase() === 'stop') {
        const f = this.router.stopFollowUp();
        if (f) reply(this.rt, f);
      }
      await commit(this.rt);
      return;
    }
    if (RESUME_WORDS.has(line.toLowerCase())) {
      this.#out('→ Nothing is paused.');
      return;
    }
    const [verb, id] = line.split(/\s+/);
    const data = verb.startsWith('v1:') ? verb : `v1:${verb.toLowerCase()}:${this.#cardRef(verb.toLowerCase(), id)}`;
    const r = await this.router.tap(data);
    if (r.reply) reply(this.rt, r.reply);
    // Like a Telegram toast: shown once what it reports is on disk.
    const saved = await commit(this.rt);
    this.#out(`→ ${r.text}${saved ? '' : ' ⚠️ not saved yet: the state file cannot be written'}\n`);
    this.#write();
  }

  /** A tap's id: card numbers and `last` resolve to the card id; anything else is taken as is. */
  #cardRef(verb: string, ref: string | undefined): string {
    if (!CARD_VERBS.has(verb)) return ref ?? '';
    if (ref === undefined || ref.toLowerCase() === 'last') return this.#lastTradable ?? '';
    const n = /^#?(\d{1,6})$/.exec(ref);
    return n ? (this.#cards[Number(n[1]) - 1] ?? '') : ref;
  }

  /** Prints a card with its number; its buttons show the taps by number. */
  #printCard(card: Card): void {
    let n = this.#cardNo.get(card.id);
    if (n === undefined) {
      this.#cards.push(card.id);
      n = this.#cards.length;
      this.#cardNo.set(card.id, n);
    }
    const r = renderCard(card, this.rt.config.quote);
    if (r.buttons.length) this.#lastTradable = card.id;
    const num = String(n);
    this.#print({
      html: `<b>Card #${num}</b> · id ${card.id}\n${r.html}`,
      buttons: r.buttons.map((row) => row.map((b) => ({ text: b.text, data: b.data.endsWith(`:${card.id}`) ? `${b.data.slice(0, -card.id.length)}${num}` : b.data }))),
    });
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
