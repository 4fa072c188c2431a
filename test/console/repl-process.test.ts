import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess } from '../reliability/bot-process.js';

// `edgebot replay --pause-on-card` as a real child process with piped stdin, on the bundled
// 2025 candles: the first tradable card is SOLUSDT at 2025-01-02 08:15 UTC (entry 206.49), the
// second LTCUSDT at 2025-01-16 02:25. The replay clock stops at each, so the 3-bar expiry cannot
// lapse while the owner types.
describe('console REPL on the demo data (child process, piped stdin)', () => {
  let dir: string;
  let config: string;
  const args = () => ['replay', '--data', 'data/binance-2025-5m', '--to', '2025-01-20', '--pause-on-card', '--config', config];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'edgebot-repl-'));
    config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ chat: 'console', paths: { state: join(dir, 'state.json'), logDir: join(dir, 'logs') } }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a script piped in at once: taps card #1, lists positions, resumes, lists them again at the next card', async () => {
    const bot = new BotProcess(args());
    bot.child.stdin!.end('paper 1\n/positions\nnext\n/positions\nskip last\nnext\n');
    const { code } = await bot.exited;
    expect(code, bot.err).toBe(0);
    const out = bot.out;
    // Paused on card #1 before the tap: the tap is answered, not "expired".
    const pause1 = out.indexOf('⏸ Replay paused at 2025-01-02 08:15 UTC on card #1');
    expect(pause1).toBeGreaterThan(out.indexOf('Card #1 · id '));
    expect(out.slice(pause1)).toMatch(/^[^\n]*\n→ 📝 Paper buy of 4\.8428 SOLUSDT queued for the next open\.\n/m);
    expect(out).toContain('⏳ SOLUSDT LONG 4.8428 — entry waiting for the next open');
    // After `next` the entry fills at the next open (+5 bps slippage) and later hits its target.
    expect(out).toContain('4.8428 @ 206.5932');
    expect(out).toMatch(/SOLUSDT closed — 🎯 target hit/);
    // The second pause: the lines after the first `next` were held for it.
    const pause2 = out.indexOf('⏸ Replay paused at 2025-01-16 02:25 UTC on card #2');
    expect(pause2).toBeGreaterThan(pause1);
    expect(out.slice(pause2)).toMatch(/^[^\n]*\nNo open positions\.\n\[🔄 Refresh: refresh positions\]\n\n→ Skipped\.\n/m);
    // EOF resumes for good: no third pause, and the summary line closes the run.
    expect(out.match(/⏸ Replay paused/g)).toHaveLength(2);
    const summary = JSON.parse(out.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ cards: 6, trades: 1, winRate: 1, pnl: 37.46 });
  }, 60_000);

  it('interactively: waits at the card until a line comes, and a tap by id works too', async () => {
    const bot = new BotProcess(args());
    try {
      await bot.waitOut((o) => o.includes('on card #1.'), 'first pause');
      const id = /Card #1 · id (\S+)/.exec(bot.out)![1];
      expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
      const before = bot.out.length;
      bot.send(`paper ${id}`);
      await bot.waitOut((o) => o.slice(before).includes('queued for the next open'), 'tap answer');
      // Still paused: nothing after the card happened (no fill yet).
      expect(bot.out).not.toContain('Paper buy filled');
      bot.send('paper last');
      await bot.waitOut((o) => /Already paper-traded|already/i.test(o.slice(before).split('queued for the next open')[1] ?? ''), 'second tap refused');
      bot.send('next');
      await bot.waitOut((o) => o.includes('on card #2.'), 'second pause');
      // By then the SOL position has hit its target: /trades lists it, /positions is empty.
      bot.send('/trades');
      await bot.waitOut((o) => /SOLUSDT/.test(o.split('on card #2.')[1] ?? ''), 'trades at the second pause');
      expect(bot.out.split('on card #2.')[1]).toMatch(/\+37\.46/);
      bot.child.stdin!.end();
      const { code } = await bot.exited;
      expect(code, bot.err).toBe(0);
      expect(JSON.parse(bot.out.trim().split('\n').pop()!)).toMatchObject({ trades: 1, pnl: 37.46 });
    } finally {
      await bot.kill();
    }
  }, 60_000);
});
