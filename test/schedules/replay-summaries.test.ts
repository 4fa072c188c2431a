import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareReplay, type ReplaySession } from '../../src/app/replay.js';
import { money } from '../../src/notifier/format.js';
import type { Trade } from '../../src/portfolio/types.js';

const DAY = 86_400_000;
/** Summaries go out at 00:01 UTC, once the day's last candle is in (src/app/jobs.ts). */
const DELAY = 60_000;

/** What the replay put in the outbox, with the replay clock's time at that moment. */
interface Pushed { at: number; html: string }

function summaryNumbers(trades: readonly Trade[], start: number, end: number) {
  const t = trades.filter((x) => x.exitTime >= start && x.exitTime < end);
  return { n: t.length, pnl: t.reduce((s, x) => s + x.pnl, 0), wins: t.filter((x) => x.pnl > 0).length };
}

function expectBody(html: string, s: { n: number; pnl: number; wins: number }): void {
  if (!s.n) expect(html).toContain('No trades closed.');
  else expect(html).toContain(`P&amp;L <b>${money(s.pnl, true)} USDT</b> · ${s.n} trade${s.n === 1 ? '' : 's'} (${s.wins} W / ${s.n - s.wins} L)`);
}

// The 5.5 months of bundled 5m candles (2025-01-01 → 2025-06-17, 14 coins), paper auto-traded:
// 166 UTC midnights and 24 Mondays pass on the replay clock. Each summary must be queued at its
// 00:01 of simulated time and agree with the replay's own closed-trade list.
describe('schedules on the replay clock', () => {
  let dir: string;
  let session: ReplaySession;
  const pushed: Pushed[] = [];
  let first = 0;
  let last = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgebot-sched-'));
    session = await prepareReplay({
      data: 'data/binance-2025-5m', statePath: join(dir, 'state.json'), input: null,
      output: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    const { rt } = session;
    first = rt.clock.now();
    rt.outbox.onEnqueue(() => {
      const items = rt.outbox.pending();
      const item = items[items.length - 1];
      if (item?.kind === 'text' && /summary/.test(item.html)) pushed.push({ at: rt.clock.now(), html: item.html });
    });
    await session.run();
    last = session.rt.engine.stats.lastCloseTime;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pushes one daily summary per UTC midnight, at 00:01 simulated time, matching the trades of the day that ended', () => {
    const trades = session.rt.broker.account.trades;
    expect(trades.length).toBeGreaterThan(40);
    const daily = pushed.filter((p) => p.html.includes('Daily summary'));
    // Midnights strictly inside the replay: the last one is followed by candles, so it has passed.
    const midnights: number[] = [];
    for (let m = Math.floor(first / DAY) * DAY + DAY; m < last; m += DAY) midnights.push(m);
    expect(midnights.length).toBe(166);
    expect(daily.map((d) => d.at - DELAY)).toEqual(midnights);
    let withTrades = 0;
    for (const d of daily) {
      const midnight = d.at - DELAY;
      const s = summaryNumbers(trades, midnight - DAY, midnight);
      if (s.n) withTrades++;
      expect(d.html).toContain(new Date(midnight - DAY).toISOString().slice(0, 10));
      expectBody(d.html, s);
    }
    // Not a run of empty days: most of the 49 trades show up in some day's summary.
    expect(withTrades).toBeGreaterThan(30);
  });

  it('pushes the weekly summary at Monday 00:01 about the Monday–Sunday that ended', () => {
    const trades = session.rt.broker.account.trades;
    const weekly = pushed.filter((p) => p.html.includes('Weekly summary'));
    expect(weekly.length).toBe(24);
    for (const w of weekly) {
      const monday = w.at - DELAY;
      expect(new Date(monday).getUTCDay()).toBe(1);
      expect(monday % DAY).toBe(0);
      expect(w.html).toContain(`${new Date(monday - 7 * DAY).toISOString().slice(0, 10)} – ${new Date(monday - DAY).toISOString().slice(0, 10)}`);
      expectBody(w.html, summaryNumbers(trades, monday - 7 * DAY, monday));
    }
    // Monday 2025-02-03 00:01: the week's summary and Sunday's daily one, both at that instant.
    const feb3 = Date.UTC(2025, 1, 3) + DELAY;
    const at = pushed.filter((p) => p.at === feb3).map((p) => p.html.split('\n')[0]);
    expect(at).toHaveLength(2);
    expect(at.join('\n')).toMatch(/Daily summary<\/b> · Sun 2025-02-02/);
    expect(at.join('\n')).toMatch(/Weekly summary<\/b> · 2025-01-27 – 2025-02-02/);
  });
});
