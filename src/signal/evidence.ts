import type { LiveParams } from '../config/schema.js';
import { timeframeMs, type Timeframe } from '../core/timeframe.js';
import { signalIdOf, type ValidatedFile } from './validated.js';
import { ZScoreRule } from './zscore-rule.js';

/**
 * A signal's backtest evidence, as cards, `/signals` and the live gate use it (numbers only; the
 * words are src/notifier/render.ts's). R = pnl / initial risk after costs; times ms UTC.
 */
export interface SignalEvidence {
  /** True when the issue-#9 gate validated it (a family listed in validated.json, or a z-score set with `pass`). */
  validated: boolean;
  /** Where it came from: a validated family, or a z-score parameter set's verdict. */
  source: 'family' | 'zscore';
  /** The family / parameter-set id in validated.json. */
  familyId: string;
  /** Pooled out-of-sample trades. */
  trades: number;
  /** Out-of-sample mean R per trade. */
  meanR: number;
  /** Block-bootstrap 95 % interval of the mean R (families only; the z-score verdicts carry none). */
  meanRLower?: number;
  meanRUpper?: number;
  /** Out-of-sample per-trade Sharpe (mean / sd of R), for the drift monitor's σ. */
  sharpe: number;
  /** Deflated Sharpe Ratio, 0..1. */
  dsr: number;
  /** The data the evidence was measured on: first open to end (exclusive), ms UTC. */
  dataFrom: number;
  dataTo: number;
}

/** One signal (instrument-level id) that has evidence. */
export interface EvidenceRow {
  signalId: string;
  rule: string;
  symbol: string;
  timeframe: Timeframe;
  evidence: SignalEvidence;
}

/** Why a signal's cards have no Live button: not validated by the gate, or paused by the drift monitor. */
export type PaperOnlyReason = 'unvalidated' | 'paused';

/**
 * The live gate (SPEC §5): a paused signal is paper-only; an unvalidated one (or one without
 * evidence) too, unless `liveUnvalidated` (config `execution.liveUnvalidated`). Null = Live allowed.
 */
export function paperOnlyReason(evidence: SignalEvidence | undefined, paused: boolean, liveUnvalidated: boolean): PaperOnlyReason | null {
  if (paused) return 'paused';
  if (!evidence?.validated && !liveUnvalidated) return 'unvalidated';
  return null;
}

/**
 * Evidence per signal id, from validated.json v2: every validated family on each of its
 * instruments (`rule:SYMBOL:tf:hex`), and for each live-params symbol the z-score verdict whose
 * timeframe is the rating timeframe and whose parameters equal the symbol's current set
 * (`glicko_zscore:SYMBOL`; a changed parameter set has no evidence until the next backtest).
 */
export class EvidenceBook {
  readonly #by = new Map<string, EvidenceRow>();

  constructor(file: ValidatedFile | null, liveParams: LiveParams, ratingTimeframe: Timeframe) {
    if (!file) return;
    for (const f of file.families) {
      const ev: SignalEvidence = {
        validated: true, source: 'family', familyId: f.id, trades: f.outOfSample.trades, meanR: f.meanR.mean,
        meanRLower: f.meanR.lower, meanRUpper: f.meanR.upper, sharpe: f.outOfSample.sharpe, dsr: f.dsr,
        dataFrom: Math.min(...f.data.map((d) => Date.parse(d.from))), dataTo: Math.max(...f.data.map((d) => Date.parse(d.to))),
      };
      for (const symbol of f.instruments) {
        const signalId = signalIdOf(f, symbol);
        this.#by.set(signalId, { signalId, rule: f.rule, symbol, timeframe: f.timeframe, evidence: ev });
      }
    }
    for (const [symbol, p] of Object.entries(liveParams)) {
      const z = file.zscore.find((x) => x.timeframe === ratingTimeframe && x.instruments.includes(symbol) &&
        Object.entries(x.params).every(([k, v]) => (p as Record<string, unknown>)[k] === v));
      if (!z) continue;
      // The data it ran on: folders holding its instruments whose base can build its timeframe.
      const sources = file.data.filter((d) => z.instruments.some((s) => d.symbols.includes(s)) && timeframeMs(d.baseTimeframe) <= timeframeMs(z.timeframe));
      const range = sources.length ? sources : file.data;
      const signalId = ZScoreRule.signalId(symbol);
      this.#by.set(signalId, {
        signalId, rule: 'glicko_zscore', symbol, timeframe: z.timeframe,
        evidence: {
          validated: z.pass, source: 'zscore', familyId: z.id, trades: z.outOfSample.trades, meanR: z.outOfSample.avgR,
          sharpe: z.outOfSample.sharpe, dsr: z.dsr,
          dataFrom: Math.min(...range.map((d) => Date.parse(d.from))), dataTo: Math.max(...range.map((d) => Date.parse(d.to))),
        },
      });
    }
  }

  /** The evidence of a signal id, if validated.json has any. */
  get(signalId: string): SignalEvidence | undefined {
    return this.#by.get(signalId)?.evidence;
  }

  /** Every signal with evidence. */
  rows(): EvidenceRow[] {
    return [...this.#by.values()];
  }
}
