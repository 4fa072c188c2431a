import type { Candle } from '../core/candle.js';
import type { ReplayClock } from '../core/clock.js';
import type { Timeframe } from '../core/timeframe.js';
import type { PaperAccount } from '../kernel/simulated-broker.js';
import type { CandleSink } from '../feed/pipeline.js';

interface Route {
  sink: CandleSink;
  timeframe: Timeframe;
  account: PaperAccount;
}

/** The engines of one symbol: all of them, and those per rule timeframe. */
interface SymbolRoutes {
  all: Route[];
  byTf: Partial<Record<Timeframe, Route[]>>;
}

const NO_ROUTES: SymbolRoutes = { all: [], byTf: {} };

/**
 * Fans each closed candle out to many candidate engines, so one pass over the data (parsing,
 * validation and aggregation done once) drives them all. Advances the shared replay clock on
 * base candles first, as the single replay engine does, so every engine reads the same time.
 *
 * Per-symbol engines get only the candles that can change what they do:
 * - their rule's own timeframe (the only one their rule reads), and
 * - base candles while their broker holds a queued entry or an open position (fills and exits).
 * A flat broker's base candle only records the mark price, which nothing reads while it holds
 * nothing (equity = cash), and the engine's own counters are not used here — so skipping it
 * changes no trade. test/parity.test.ts holds the backtest to the replay trade for trade.
 * Global engines (cross-coin ratings) get every candle.
 */
export class FanoutSink implements CandleSink {
  readonly #bySymbol = new Map<string, SymbolRoutes>();
  /** Per pipeline instrument id: its routes and the symbol they were resolved for (as Engine does). */
  readonly #routesOfInstrument: SymbolRoutes[] = [];
  readonly #symbolOfInstrument: string[] = [];
  readonly #global: CandleSink[] = [];

  constructor(readonly clock: ReplayClock, readonly base: Timeframe) {}

  /** Adds an engine fed with `symbol`'s candles as described above. */
  add(symbol: string, timeframe: Timeframe, sink: CandleSink, account: PaperAccount): void {
    let s = this.#bySymbol.get(symbol);
    if (!s) this.#bySymbol.set(symbol, (s = { all: [], byTf: {} }));
    const r = { sink, timeframe, account };
    // A symbol's routes may be new: resolve instrument ids afresh.
    this.#symbolOfInstrument.length = 0;
    s.all.push(r);
    (s.byTf[timeframe] ??= []).push(r);
  }

  /** Adds an engine fed with every candle of every symbol. */
  addGlobal(sink: CandleSink): void {
    this.#global.push(sink);
  }

  #routes(symbol: string, instrument: number | undefined): SymbolRoutes {
    if (instrument === undefined) return this.#bySymbol.get(symbol) ?? NO_ROUTES;
    if (this.#symbolOfInstrument[instrument] !== symbol) {
      this.#symbolOfInstrument[instrument] = symbol;
      this.#routesOfInstrument[instrument] = this.#bySymbol.get(symbol) ?? NO_ROUTES;
    }
    return this.#routesOfInstrument[instrument];
  }

  onCandle(symbol: string, tf: Timeframe, c: Candle, instrument?: number): void {
    const s = this.#routes(symbol, instrument);
    if (tf === this.base) {
      this.clock.advance(c.closeTime);
      const l = s.all;
      for (let i = 0; i < l.length; i++) {
        const r = l[i];
        if (r.timeframe === tf || r.account.pending.length !== 0 || r.account.positions.length !== 0) r.sink.onCandle(symbol, tf, c, instrument);
      }
    } else {
      const l = s.byTf[tf];
      if (l !== undefined) for (let i = 0; i < l.length; i++) l[i].sink.onCandle(symbol, tf, c, instrument);
    }
    const g = this.#global;
    for (let i = 0; i < g.length; i++) g[i].onCandle(symbol, tf, c, instrument);
  }
}
