import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/core/errors.js';
import { StateStore, corruptStateMessage } from '../src/store/state-store.js';

describe('state file', () => {
  it('persists and reloads the kill switch and paper account', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'edgebot-state-')), 'state.json');
    const a = await StateStore.open(path, 10_000);
    expect(a.outcome.kind).toBe('fresh');
    a.data.risk.killSwitch = true;
    a.data.paper.cash = 9_000;
    a.save();
    await a.flush();
    const b = await StateStore.open(path, 10_000);
    expect(b.outcome.kind).toBe('loaded');
    expect(b.data.risk.killSwitch).toBe(true);
    expect(b.data.paper.cash).toBe(9_000);
  });

  it('moves a corrupt file aside with a clear message and starts fresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-state-'));
    const path = join(dir, 'state.json');
    writeFileSync(path, '{"version":1,"risk":{"killSwitch":tru');
    const s = await StateStore.open(path, 10_000, { now: Date.UTC(2025, 0, 2, 3, 4, 5) });
    expect(s.outcome.kind).toBe('corrupt');
    if (s.outcome.kind !== 'corrupt') return;
    expect(s.outcome.problem).toMatch(/not valid JSON/);
    expect(readFileSync(s.outcome.movedTo, 'utf8')).toBe('{"version":1,"risk":{"killSwitch":tru'); // nothing lost
    expect(readdirSync(dir).sort()).toEqual(['state.json', 'state.json.corrupt-2025-01-02T03-04-05-000Z']);
    expect(corruptStateMessage(s.outcome, path)).toMatch(/moved to .*corrupt-2025-01-02.*nothing was deleted/);
    expect(JSON.parse(readFileSync(path, 'utf8')).paper.cash).toBe(10_000);
  });

  it('refuses a file that is JSON but not a state, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-state-'));
    const path = join(dir, 'state.json');
    writeFileSync(path, JSON.stringify({ version: 1, risk: { killSwitch: 'yes' } }));
    const s = await StateStore.open(path, 10_000);
    expect(s.outcome.kind).toBe('corrupt');
    if (s.outcome.kind === 'corrupt') {
      expect(s.outcome.problem).toMatch(/risk\.killSwitch/);
      expect(existsSync(s.outcome.movedTo)).toBe(true);
    }
  });

  it('a state directory that cannot be created is a clear ConfigError, not an ENOENT stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-state-'));
    writeFileSync(join(dir, 'afile'), 'x');
    const err = await StateStore.open(join(dir, 'afile', 'sub', 'state.json'), 10_000).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/cannot create the state directory .*afile\/sub \(E(NOTDIR|EXIST)\); set paths\.state/);
  });

  it('removes a temp file a crash left behind, and writes durably (no temp left after a flush)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-state-'));
    const path = join(dir, 'state.json');
    writeFileSync(`${path}.tmp`, '{"half": ');
    const s = await StateStore.open(path, 10_000);
    s.data.risk.killSwitch = true;
    s.save();
    await s.flush();
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(JSON.parse(readFileSync(path, 'utf8')).risk.killSwitch).toBe(true);
  });

  it('writeOnClose (replay): save and flush leave the file alone; close writes everything', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'edgebot-state-')), 'state.json');
    const store = await StateStore.open(path, 10_000, { durable: false, writeOnClose: true });
    store.data.risk.killSwitch = true;
    store.save(0);
    await store.flush();
    // The file written at open (the writability check) is still the fresh one.
    expect(JSON.parse(readFileSync(path, 'utf8')).risk.killSwitch).toBe(false);
    await store.close();
    expect(JSON.parse(readFileSync(path, 'utf8')).risk.killSwitch).toBe(true);
  });
});
