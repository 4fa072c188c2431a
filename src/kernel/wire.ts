import type { Clock } from '../core/clock.js';
import type { Timeframe } from '../core/timeframe.js';
import type { Config, LiveParams } from '../config/schema.js';
import type { PaperAccount } from '../portfolio/account.js';
import { RiskManager, type RiskState } from '../risk/risk.js';
import type { CandleRule } from '../signal/rule.js';
import { crossCoinSetup } from './cross-coin-setup.js';
import { Engine, type EngineDeps } from './engine.js';
import type { BotEvent } from './events.js';
import { PaperClient } from './paper-client.js';
import { Portfolio } from './portfolio.js';
import type { ExecutionClient } from './ports.js';
import { SimulatedBroker } from './simulated-broker.js';
import { TradeService, type TradeServiceDeps } from './trade-service.js';

/** What the kernel is built from; the same for every mode and for each backtested signal. */
export interface KernelParts {
  config: Config;
  clock: Clock & { advance?(t: number): void };
  baseTimeframe: Timeframe;
  /** Symbols rated cross-coin (one Glicko-2 player each). */
  coinSymbols: readonly string[];
  liveParams: LiveParams;
  rules: readonly CandleRule[];
  /** The paper account and the risk state to run on (restored from the store, or fresh). */
  paper: PaperAccount;
  riskState: RiskState;
  emit: (e: BotEvent) => void;
  /** Marks the state dirty after a change that must survive a restart. */
  persist: () => void;
  /** Venue clients beside the paper account (live). */
  clients?: readonly ExecutionClient[];
  /** Paper fees per instrument, bps (a venue's own taker fee on perpetuals); others pay `broker.feeBps`. */
  feeBpsBySymbol?: Readonly<Record<string, number>>;
  /** Engine options only some runs use (the watermark, evidence per signal, card memory). */
  engine?: Pick<EngineDeps, 'through' | 'signalInfo' | 'cardMemory'>;
  /** Trade-service options only some runs use (live execution, the live gate). */
  trades?: Pick<TradeServiceDeps, 'live' | 'paperOnly'>;
}

/** The wired kernel: the simulated broker, risk, every position, the engine and the trade service. */
export interface Kernel {
  broker: SimulatedBroker;
  risk: RiskManager;
  portfolio: Portfolio;
  engine: Engine;
  trades: TradeService;
  ratings: ReturnType<typeof crossCoinSetup>['ratings'];
}

/**
 * Wires the kernel — the one place that does: replay, paper and live (through `createRuntime`)
 * and every backtested signal (`SignalRun`) are built here, so they trade identically.
 */
export function wireKernel(p: KernelParts): Kernel {
  const { config } = p;
  const broker = new SimulatedBroker({ ...config.broker, ...(p.feeBpsBySymbol ? { feeBpsBySymbol: p.feeBpsBySymbol } : {}) }, p.paper);
  const risk = new RiskManager(config.risk, p.riskState);
  const portfolio = new Portfolio(broker, new PaperClient(broker, config.quote, p.persist), p.clients ?? []);
  const { ratings, zRule } = crossCoinSetup(config, p.coinSymbols, p.liveParams);
  const engine = new Engine({
    clock: p.clock,
    baseTimeframe: p.baseTimeframe,
    ratingTimeframe: config.rating.timeframe,
    coinSymbols: p.coinSymbols,
    ratings,
    zRule,
    rules: p.rules,
    broker,
    portfolio,
    risk,
    emit: p.emit,
    cardExpiryBars: config.execution.cardExpiryBars,
    marketType: config.exchange.marketType,
    ...p.engine,
  });
  const trades = new TradeService({ clock: p.clock, cards: engine.cards, broker, portfolio, risk, emit: p.emit, persist: p.persist, ...p.trades });
  return { broker, risk, portfolio, engine, trades, ratings };
}
