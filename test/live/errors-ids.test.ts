import * as ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { ExchangeError } from '../../src/core/errors.js';
import { toVenueError } from '../../src/execution/live/errors.js';
import { explain } from '../../src/notifier/render-live.js';
import { attemptOf, clientId, livePositionId } from '../../src/execution/live/ids.js';

describe('client order ids derived from the card', () => {
  it('are stable, Binance-valid and at most 36 characters', () => {
    expect(clientId('Q2xk9_aZ3-Tb', 'entry')).toBe('eb-Q2xk9_aZ3-Tb-e');
    expect(clientId('Q2xk9_aZ3-Tb', 'oco')).toBe('eb-Q2xk9_aZ3-Tb-o');
    expect(clientId('Q2xk9_aZ3-Tb', 'oco', 2)).toBe('eb-Q2xk9_aZ3-Tb-o2');
    expect(clientId('Q2xk9_aZ3-Tb', 'exit', 3).length).toBeLessThanOrEqual(36);
    expect(attemptOf('eb-Q2xk9_aZ3-Tb-o')).toBe(1);
    expect(attemptOf('eb-Q2xk9_aZ3-Tb-o2')).toBe(2);
    expect(attemptOf(undefined)).toBe(0);
    expect(() => clientId('bad id!', 'entry')).toThrow(RangeError);
    expect(livePositionId('Q2xk9_aZ3-Tb')).toBe('LQ2xk9_aZ3-Tb');
  });
});

describe('ccxt errors → what the owner is told and whether the order may exist', () => {
  const cases: [Error, string, boolean, boolean][] = [
    [new ccxt.InsufficientFunds('binance Account has insufficient balance for requested action.'), 'insufficient-funds', false, false],
    [new ccxt.BadRequest('binance {"code":-1013,"msg":"Filter failure: NOTIONAL"}'), 'invalid-order', false, false],
    [new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}'), 'duplicate', false, false],
    [new ccxt.OrderNotFound('binance {"code":-2013,"msg":"Order does not exist."}'), 'not-found', false, false],
    [new ccxt.AuthenticationError('binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}'), 'auth', false, false],
    // After one good private call ccxt reports -2015 as DDoSProtection; it is still the key.
    [new ccxt.DDoSProtection('binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}'), 'auth', false, false],
    [new ccxt.RateLimitExceeded('binance {"code":-1003,"msg":"Too much request weight used"}'), 'rate-limit', true, false],
    [new ccxt.RequestTimeout('binance POST http://127.0.0.1:1/api/v3/order?signature=abc request timed out (400 ms)'), 'network', true, true],
    [new ccxt.ExchangeNotAvailable('binance {"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}'), 'network', true, true],
    [new ccxt.ExchangeError('binance {"code":-1000,"msg":"An unknown error occurred while processing the request."}'), 'exchange', true, true],
  ];
  it.each(cases)('%s', (e, kind, temporary, ambiguous) => {
    const v = toVenueError(e);
    expect(v).toBeInstanceOf(ExchangeError);
    expect({ kind: v.kind, temporary: v.temporary, ambiguous: v.ambiguous }).toEqual({ kind, temporary, ambiguous });
    const text = explain(v, 'USDT');
    expect(text.length).toBeLessThan(150);
    expect(text).not.toMatch(/signature|http/);
  });
});
