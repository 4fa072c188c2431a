import { describe, expect, it } from 'vitest';
import type { Card } from '../src/kernel/card.js';
import { htmlProblem } from './fakes/telegram-api.js';
import { htmlToText, splitMessage } from '../src/notifier/format.js';
import { renderCard } from '../src/notifier/render.js';
import { renderDigest } from '../src/notifier/telegram/telegram-chat.js';

const card = (id: string, symbol: string, over: Partial<Card> = {}): Card => ({
  id, createdAt: Date.UTC(2025, 4, 5, 3, 5), expiresAt: Date.UTC(2025, 4, 5, 3, 20), signalId: `glicko_zscore:${symbol}`,
  rule: 'glicko_zscore', name: 'Glicko-2 z-score', symbol, timeframe: '5m', direction: 'long', entry: 20.5, stop: 20.295,
  target: 20.8075, stopPercent: 1, targetPercent: 1.5, rr: 1.5, qty: 48.78, notional: 1000, riskQuote: 10, riskPercent: 0.1,
  reason: 'MA-z(12 × 5m) 1.52 ≥ 1.5 <&>', status: 'open', context: { rating: 1512.3, maZ: 1.52 }, ...over,
});

describe('cards and digests', () => {
  it('a card is valid Telegram HTML, escapes the reason and carries three buttons', () => {
    const r = renderCard(card('abc', 'AVAXUSDT'));
    expect(htmlProblem(r.html)).toBeUndefined();
    expect(htmlToText(r.html)).toContain('Reason: MA-z(12 × 5m) 1.52 ≥ 1.5 <&>');
    expect(htmlToText(r.html)).toMatch(/Risk: 10\.00 USDT \(0\.10% of equity\)/);
    expect(r.buttons[0].map((b) => b.data)).toEqual(['v1:paper:abc', 'v1:live:abc', 'v1:skip:abc']);
    expect(renderCard(card('abc', 'AVAXUSDT', { status: 'paper' })).buttons).toEqual([]);
  });

  it('several cards of one close become one digest with a row of buttons per open signal', () => {
    const d = renderDigest([card('a1', 'AVAXUSDT'), card('b2', 'SOLUSDT'), card('c3', 'LTCUSDT', { status: 'skipped' })]);
    expect(htmlProblem(d.html)).toBeUndefined();
    expect(htmlToText(d.html)).toMatch(/^📣 3 signals at 2025-05-05 03:05 UTC/);
    expect(d.buttons.map((row) => row.map((b) => b.text))).toEqual([
      ['📝 Paper AVAX', '💰 Live… AVAX', '✖ Skip AVAX'],
      ['📝 Paper SOL', '💰 Live… SOL', '✖ Skip SOL'],
    ]);
    expect(htmlToText(d.html)).toContain('✖ Skipped');
  });

  it('splits messages over 4096 characters at line breaks', () => {
    const text = Array.from({ length: 300 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join('\n')).toBe(text);
  });
});
