import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { status } from '../../src/commands/index.js';
import { ReplayClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/core/log.js';
import { createRuntime } from '../../src/kernel/kernel.js';
import { renderEvent } from '../../src/notifier/render.js';
import { StateStore } from '../../src/store/state-store.js';

describe('/status is a query', () => {
  it('reports a new UTC day as started without rolling the risk state over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-status-'));
    const config = loadConfig({ overrides: { paths: { logDir: join(dir, 'logs'), validatedSignals: join(dir, 'none.json') } } });
    const store = await StateStore.open(join(dir, 'state.json'), config.broker.startingBalance, { durable: false });
    const clock = new ReplayClock(Date.UTC(2025, 0, 2, 0, 5));
    const rt = createRuntime({ notice: renderEvent, mode: 'paper', config, liveParams: {}, clock, store, log: createLogger(), baseTimeframe: '5m' });
    Object.assign(store.data.risk, { day: '2025-01-01', dayStartEquity: 11_000, dayTrades: 3 });
    const before = structuredClone(store.data.risk);

    const v = status(rt);

    // Yesterday began at 11,000 with 3 trades; today has begun at the current equity (10,000).
    expect(v.dayTrades).toBe(0);
    expect(v.dayPnl).toBe(0);
    expect(store.data.risk).toEqual(before);
    await store.close();
  });
});
