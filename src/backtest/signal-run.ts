import type { Clock } from '../core/clock.js';
import type { BotEvent } from '../core/events.js';
import type { Timeframe } from '../core/timeframe.js';
import type { Config, LiveParams } from '../config/schema.js';
import { Engine } from '../engine/engine.js';
import { crossCoinSetup } from '../engine/cross-coin-setup.js';
import { newPaperAccount, SimulatedBroker } from '../execution/simulated.js';
import { TradeService } from '../execution/trade-service.js';
import { newRiskState, RiskManager } from '../risk/risk.js';
import type { CandleRule } from '../signal/rule.js';
import { toRecord, type TradeRecord } from './stats.js';

/** What one backtested signal runs on: its rules, or a z-score parameter set over all coins. */
export interface SignalRunSpec {
  rules: CandleRule[];
  /** Coins rated cross-coin (all data symbols for the z-score rule; none for candle rules). */
  coinSymbols: readonly string[];
  liveParams: LiveParams;
}

/**
 * One signal's own bot: an `Engine` with a fresh `SimulatedBroker` and `RiskManager`, and every
 * tradable card paper-traded through `TradeService.paper` — exactly what `createRuntime` wires
 * for replay with `execution.autoTrade: "paper"`, minus chat and store. The same config (fees,
 * slippage, risk limits) as replay, so a replay with only this signal loaded trades identically
 * (test/parity.test.ts). Closed trades are kept as compact records.
 */
export class SignalRun {
  readonly engine: Engine;
  readonly broker: SimulatedBroker;
  readonly trades: TradeRecord[] = [];
  readonly #service: TradeService;

  constructor(spec: SignalRunSpec, config: Config, clock: Clock & { advance?(t: number): void }, baseTimeframe: Timeframe) {
    const start = config.broker.startingBalance;
    this.broker = new SimulatedBroker(config.broker, newPaperAccount(start));
    const risk = new RiskManager(config.risk, newRiskState(start));
    const coins = spec.coinSymbols;
    // The same ratings and z rule every runtime builds (threshold scaling, shorts on swaps).
    const { ratings, zRule } = crossCoinSetup(config, coins, spec.liveParams);
    this.engine = new Engine({
      clock,
      baseTimeframe,
      ratingTimeframe: config.rating.timeframe,
      coinSymbols: coins,
      ratings,
      zRule,
      rules: spec.rules,
      broker: this.broker,
      risk,
      emit: (e) => this.#on(e),
      cardExpiryBars: config.execution.cardExpiryBars,
      marketType: config.exchange.marketType,
      // Cards are paper-traded the moment they are made; only a few need remembering.
      cardMemory: 8,
    });
    this.#service = new TradeService({ clock, cards: this.engine.cards, broker: this.broker, risk, emit: () => {}, persist: () => {} });
  }

  #on(e: BotEvent): void {
    if (e.type === 'card') {
      if (e.card.status === 'open') this.#service.paper(e.card.id);
    } else if (e.type === 'exit') {
      this.trades.push(toRecord(e.trade));
      // Only the compact record is needed; thousands of full trades per run would just hold memory.
      this.broker.account.trades.length = 0;
    }
  }
}
