import { describe, expect, it } from 'vitest';
import { outcomeText } from '../src/notifier/render-outcome.js';

// The trade service answers with data; these are the words the owner reads.
describe('outcome words', () => {
  it('words every outcome of the trade service', () => {
    expect(outcomeText({ code: 'paper-queued', qty: 0.034331, symbol: 'BTCUSDT' }, 'USDT')).toBe('📝 Paper buy of 0.03433 BTCUSDT queued for the next open.');
    expect(outcomeText({ code: 'risk-refused', reason: 'max open positions reached (5)' }, 'USDT')).toBe('Refused: max open positions reached (5).');
    expect(outcomeText({ code: 'card-done', status: 'skipped' }, 'USDT')).toBe('You skipped this card.');
    expect(outcomeText({ code: 'card-blocked' }, 'USDT')).toBe('Not tradable: risk limit.');
    expect(outcomeText({ code: 'stopped', already: false, cancelledEntries: 2, openPositions: 1 }, 'USDT'))
      .toBe('🛑 Trading stopped. No new positions until /resume. Cancelled 2 unfilled entries. 1 open position keeps its stop and target.');
    expect(outcomeText({ code: 'stopped', already: true, cancelledEntries: 0, openPositions: 0 }, 'USDT')).toBe('Trading was already stopped. No new positions until /resume.');
    expect(outcomeText({ code: 'resumed', wasStopped: false, circuitClosed: true }, 'USDT'))
      .toBe('▶️ Trading resumed: new cards can be traded again. The circuit breaker is closed again.');
    expect(outcomeText({ code: 'resumed', wasStopped: false, circuitClosed: false }, 'USDT')).toBe('Trading was not stopped.');
    expect(outcomeText({ code: 'position-unknown', positionId: 'P7' }, 'USDT')).toBe('No open position P7 (or it is already closing).');
  });
});
