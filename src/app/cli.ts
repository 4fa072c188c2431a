import { parseArgs } from 'node:util';
import dotenv from 'dotenv';
import { EdgebotError } from '../core/errors.js';
import { loadConfig, loadLiveParams, loadTelegramConfig } from '../config/load.js';
import { prepareReplay } from './replay.js';
import { runBacktest } from './backtest.js';
import { startBot } from './live.js';

const USAGE = `edgebot — Telegram-first crypto signal and trading assistant

Usage:
  edgebot run --mode paper|live [--config FILE]
  edgebot replay --data DIR [--config FILE] [--from ISO] [--to ISO] [--speed N]
  edgebot backtest --data DIR[,DIR…] [--config FILE] [--from ISO] [--to ISO] [--out FILE] [--report FILE] [--trades FILE.csv]
  edgebot validate-config [--config FILE]
  edgebot check-telegram [--config FILE]

run         watches the exchange live (Binance WebSocket, or REST polling) and paper-trades;
            --mode live places confirmed orders via ccxt (keys from EXCHANGE_API_KEY/SECRET in .env)
replay      replays a folder of <SYMBOL>.csv[.gz] candles through the whole bot; without
            --config it uses the console chat and paper auto-trading, and ends with one JSON line
backtest    walk-forward backtest of the rule catalogue over every instrument × timeframe of each
            data folder; writes signals/validated.json and signals/report.md (defaults)
validate-config  checks config/default.json (+ FILE) and config/live-params.json
check-telegram   calls getMe with the token from .telegram_config.json`;

function parseTime(s: string | undefined, flag: string): number | undefined {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new EdgebotError(`${flag} "${s}" is not an ISO date like 2025-03-01 or 2025-03-01T12:00Z`);
  return t;
}

/** CLI entry; returns the process exit code. Errors of ours print their message, not a stack. */
export async function main(argv: string[]): Promise<number> {
  // Secrets (exchange keys, bot token) may live in .env; never print what was loaded.
  dotenv.config({ quiet: true });
  const [command, ...rest] = argv;
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        data: { type: 'string' },
        config: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        speed: { type: 'string' },
        out: { type: 'string' },
        report: { type: 'string' },
        trades: { type: 'string' },
        mode: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    });
    switch (command) {
      case 'replay': {
        if (!values.data) throw new EdgebotError('replay needs --data DIR (a folder of <SYMBOL>.csv or .csv.gz files)');
        const session = await prepareReplay({
          data: values.data,
          config: values.config,
          from: parseTime(values.from, '--from'),
          to: parseTime(values.to, '--to'),
          speed: values.speed ? Number(values.speed) : 0,
          // The demo reads no commands: the replay ends by itself.
          input: process.stdin.isTTY ? process.stdin : null,
        });
        const summary = await session.run();
        process.stdout.write(JSON.stringify(summary) + '\n');
        return 0;
      }
      case 'run': {
        const mode = values.mode ?? 'paper';
        if (mode !== 'paper' && mode !== 'live') throw new EdgebotError(`--mode must be "paper" or "live", got "${mode}"`);
        const bot = await startBot({ mode, config: values.config });
        await new Promise<void>((resolve) => {
          const onSignal = (sig: string) => void bot.stop(sig).then(resolve);
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
        });
        // State is flushed and the owner told; don't let a lingering socket keep the process up.
        setTimeout(() => process.exit(0), 2000).unref();
        return 0;
      }
      case 'backtest': {
        if (!values.data) throw new EdgebotError('backtest needs --data DIR (folders of <SYMBOL>.csv[.gz] files, comma-separated for several)');
        const summary = await runBacktest({
          data: values.data.split(',').filter(Boolean),
          config: values.config,
          from: parseTime(values.from, '--from'),
          to: parseTime(values.to, '--to'),
          out: values.out ?? 'signals/validated.json',
          report: values.report ?? 'signals/report.md',
          trials: 'signals/trials.jsonl',
          ...(values.trades ? { trades: values.trades } : {}),
          command: ['edgebot', command, ...rest].join(' '),
          progress: (line) => process.stderr.write(`[backtest] ${line}\n`),
        });
        process.stdout.write(JSON.stringify(summary) + '\n');
        return 0;
      }
      case 'validate-config': {
        const cfg = loadConfig({ file: values.config });
        const params = loadLiveParams(cfg.paths.liveParams);
        const tg = loadTelegramConfig(cfg.telegram.configFile);
        process.stdout.write(`config OK; ${Object.keys(params).length} parameter sets; telegram ${tg ? 'configured' : 'not configured (console chat)'}\n`);
        return 0;
      }
      case 'check-telegram': {
        const cfg = loadConfig({ file: values.config });
        const tg = loadTelegramConfig(cfg.telegram.configFile);
        if (!tg) throw new EdgebotError(`no Telegram config: create ${cfg.telegram.configFile} (see .telegram_config.example.json)`);
        const { Api } = await import('grammy');
        const me = await new Api(tg.token, { apiRoot: cfg.telegram.apiRoot }).getMe();
        process.stdout.write(`bot OK: @${me.username} (${me.first_name}, id ${me.id}); owner chat ${tg.chat_id}\n`);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        return 0;
      default:
        process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (e) {
    // Our own errors and bad flags (node:util parseArgs codes) are the user's to fix: no stack.
    if (e instanceof EdgebotError || String((e as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`edgebot: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
