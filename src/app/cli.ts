import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { closedTradesCsv } from '../portfolio/trades-csv.js';
import dotenv from 'dotenv';
import { EdgebotError, UsageError } from '../core/errors.js';
import { loadConfig, loadTelegramConfig } from '../config/load.js';
import { preflight } from './preflight.js';
import { redact, secretsFromEnv } from '../core/log.js';

// Each command loads its own modules when it runs: the demo's replay never pays for grammY, ws,
// ccxt or the worker pool.

const USAGE = `edgebot — Telegram-first crypto signal and trading assistant

Usage:
  edgebot run --mode paper|live [--config FILE]
  edgebot replay --data DIR [--config FILE] [--from ISO] [--to ISO] [--speed N] [--pause-on-card] [--trades FILE.csv] [--skip-bad-files]
  edgebot backtest --data DIR[,DIR…] [--config FILE] [--from ISO] [--to ISO] [--out FILE] [--report FILE] [--trades FILE.csv] [--skip-bad-files] [--workers N]
  edgebot download-data --symbols A,B|--top N --from ISO [--to ISO] --out DIR [--timeframe 1m|5m|15m|1h] [--exchange ID] [--config FILE]
  edgebot validate-config [--config FILE]
  edgebot check-telegram [--config FILE]

run         watches the exchange live (Binance WebSocket, or REST polling) and paper-trades;
            --mode live places confirmed orders via ccxt (keys from EXCHANGE_API_KEY/SECRET in .env)
replay      replays a folder of <SYMBOL>.csv[.gz] candles through the whole bot; without
            --config it uses the console chat and paper auto-trading, and ends with one JSON line;
            commands and taps are read from stdin (a terminal or a pipe). --speed N = N× real
            time (0, the default, = as fast as possible). --pause-on-card stops the replay clock
            at each tradable card until "next" (or the end of stdin); auto-trading is then off
backtest    walk-forward backtest of the rule catalogue over every instrument × timeframe of each
            data folder; writes signals/validated.json and signals/report.md (defaults);
            --workers N threads (default: one per core)
download-data    fetches candle history over ccxt into DIR/<SYMBOL>.csv.gz (the format replay and
            backtest read) and DIR/manifest.json (rows and gaps per symbol); re-running appends
            only what is missing. --top N = the N USDT spot markets with the most 24 h quote
            volume; --exchange defaults to binance; exchange.restBaseUrl from --config is used
validate-config  runs the bot's start-up checks: config/default.json (+ FILE), the parameter sets,
            the validated signals and the Telegram config; prints warnings (unreachable z-thresholds)
check-telegram   calls getMe with the token from .telegram_config.json

--skip-bad-files  leave corrupt or truncated data files out (they are listed in a warning)
                  instead of refusing the run

Exit codes: 0 ok, 1 an error to fix (config, data, exchange…), 2 bad usage, 70 unexpected error
(EDGEBOT_DEBUG=1 prints its stack, redacted).`;

/** Where the CLI reads its environment and writes its output (tests pass their own). */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Environment; `.env` is loaded into it (existing values win). */
  env: NodeJS.ProcessEnv;
  /** Commands for the console chat (replay); absent = none. */
  stdin?: NodeJS.ReadableStream | null;
}

/** Exit codes: 1 our errors (the user can fix them), 2 usage, 70 unexpected (EX_SOFTWARE). */
export const EXIT = { ok: 0, error: 1, usage: 2, unexpected: 70 } as const;

function parseTime(s: string | undefined, flag: string): number | undefined {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new UsageError(`${flag} "${s}" is not an ISO date like 2025-03-01 or 2025-03-01T12:00Z`);
  return t;
}

/** `s` as an integer ≥ 1, or a UsageError naming `flag`. */
function positiveInt(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} "${s}" is not a whole number ≥ 1`);
  return n;
}

/** `text` on one line: newlines folded, so a message is one log-friendly line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * What the CLI prints for an error, redacted, and the exit code. Our errors and bad flags print
 * their message (no stack); anything else is unexpected: one line, plus the stack only with
 * EDGEBOT_DEBUG=1 — never a raw stack, which may hold a Bot API URL with the token.
 */
export function describeFailure(e: unknown, secrets: readonly string[], debug: boolean): { text: string; code: number } {
  const err = e instanceof Error ? e : new Error(String(e));
  if (e instanceof UsageError || String((e as { code?: string })?.code).startsWith('ERR_PARSE_ARGS')) {
    return { text: `edgebot: ${redact(oneLine(err.message), secrets)}\nRun "edgebot help" for usage.\n`, code: EXIT.usage };
  }
  if (e instanceof EdgebotError) return { text: `edgebot: ${redact(oneLine(err.message), secrets)}\n`, code: EXIT.error };
  const stack = debug && err.stack ? `${redact(err.stack, secrets)}\n` : '';
  const hint = debug ? '' : ' (EDGEBOT_DEBUG=1 shows the stack)';
  return { text: `edgebot: unexpected error: ${redact(oneLine(`${err.name}: ${err.message}`), secrets)}${hint}\n${stack}`, code: EXIT.unexpected };
}

/**
 * `edgebot check-telegram`: getMe against `telegram.apiRoot`. grammY's errors carry the Bot API
 * URL (with the token) and a raw stack; they become one EdgebotError whose message says what to do.
 * @throws EdgebotError (no config, unreachable API, refused token)
 */
async function checkTelegram(configFile: string | undefined, env: NodeJS.ProcessEnv, secrets: string[], out: (s: string) => void): Promise<void> {
  const cfg = loadConfig({ file: configFile });
  const tg = loadTelegramConfig(cfg.telegram.configFile, env);
  if (!tg) throw new EdgebotError(`no Telegram config: create ${cfg.telegram.configFile} (see .telegram_config.example.json) or set TELEGRAM_BOT_TOKEN`);
  secrets.push(tg.token);
  const { Api, GrammyError } = await import('grammy');
  try {
    const me = await new Api(tg.token, { apiRoot: cfg.telegram.apiRoot, timeoutSeconds: 30 }).getMe();
    out(`bot OK: @${me.username} (${me.first_name}, id ${me.id}); owner chat ${tg.chat_id}\n`);
  } catch (e) {
    if (e instanceof GrammyError) {
      const hint = e.error_code === 401 || e.error_code === 404 ? ' — check the token (from @BotFather)' : ' — try again later';
      throw new EdgebotError(`Telegram refused getMe at ${cfg.telegram.apiRoot}: ${e.error_code} ${e.description}${hint}`, { cause: e });
    }
    // grammY's HttpError wraps the fetch error (ECONNREFUSED…) in `.error`.
    const inner = (e as { error?: unknown } | null)?.error;
    const reason = inner instanceof Error ? inner.message : e instanceof Error ? e.message : String(e);
    throw new EdgebotError(`cannot reach the Telegram Bot API at ${cfg.telegram.apiRoot}: ${reason} — check telegram.apiRoot and the network`, { cause: e });
  }
}

/** The process-wide default I/O. */
const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin });

/**
 * CLI entry; returns the process exit code ({@link EXIT}). Everything it prints passes through
 * `redact` with the environment's secrets (bot token, exchange key/secret/password) and any token
 * loaded on the way. Run as bin/edgebot.js it also catches errors that escape later (a stray
 * rejection in `run`) and prints them the same redacted way.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  // Secrets (exchange keys, bot token) may live in .env; never print what was loaded.
  dotenv.config({ quiet: true, processEnv: io.env });
  const secrets = secretsFromEnv(io.env);
  const debug = io.env.EDGEBOT_DEBUG === '1';
  const out = (text: string) => void io.stdout.write(redact(text, secrets));
  const err = (text: string) => void io.stderr.write(redact(text, secrets));
  // Only in the edgebot process itself (bin/edgebot.js), never inside a test runner that calls main.
  if (io.stderr === process.stderr && /(^|[\\/])edgebot(\.js)?$/.test(process.argv[1] ?? '')) installProcessHandlers(secrets, debug);
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
        'skip-bad-files': { type: 'boolean' },
        'pause-on-card': { type: 'boolean' },
        exchange: { type: 'string' },
        symbols: { type: 'string' },
        top: { type: 'string' },
        timeframe: { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    });
    switch (command) {
      case 'replay': {
        const { prepareReplay } = await import('./replay.js');
        if (!values.data) throw new UsageError('replay needs --data DIR (a folder of <SYMBOL>.csv or .csv.gz files)');
        const speed = values.speed === undefined ? 0 : Number(values.speed);
        if (!(speed >= 0 && speed <= 1e6)) throw new UsageError(`--speed must be a number ≥ 0 (0 = as fast as possible), got "${values.speed}"`);
        const session = await prepareReplay({
          data: values.data,
          config: values.config,
          from: parseTime(values.from, '--from'),
          to: parseTime(values.to, '--to'),
          speed,
          skipBadFiles: values['skip-bad-files'],
          // Commands and taps from a terminal or a pipe; the replay still ends by itself.
          input: io.stdin ?? null,
          pauseOnCard: values['pause-on-card'],
          output: io.stdout,
        });
        if (session.skipped.length) err(`edgebot: warning: skipped ${session.skipped.length} bad data file(s): ${session.skipped.map((b) => b.error.message).join('; ')}\n`);
        for (const w of session.zWarnings) err(`edgebot: warning: ${w.message}\n`);
        const summary = await session.run();
        if (values.trades) writeFileSync(values.trades, closedTradesCsv(session.rt.broker.account.trades));
        out(JSON.stringify(summary) + '\n');
        return EXIT.ok;
      }
      case 'run': {
        const [{ startBot }, { runUntilStopped }] = await Promise.all([import('./live.js'), import('./process.js')]);
        const mode = values.mode ?? 'paper';
        if (mode !== 'paper' && mode !== 'live') throw new UsageError(`--mode must be "paper" or "live", got "${mode}"`);
        const bot = await startBot({ mode, config: values.config, env: io.env });
        crashReporter = (e) => bot.reportCrash(e);
        const code = await runUntilStopped(bot);
        // State is flushed and the owner told; don't let a lingering socket keep the process up.
        setTimeout(() => process.exit(code), 2000).unref();
        return code;
      }
      case 'backtest': {
        const [{ runBacktest }, { defaultWorkers }] = await Promise.all([import('./backtest.js'), import('../backtest/pool.js')]);
        if (!values.data) throw new UsageError('backtest needs --data DIR (folders of <SYMBOL>.csv[.gz] files, comma-separated for several)');
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
          progress: (line) => err(`[backtest] ${line}\n`),
          skipBadFiles: values['skip-bad-files'], workers: values.workers ? positiveInt(values.workers, '--workers') : defaultWorkers(), ...(process.stderr.isTTY ? { progressBar: process.stderr } : {}),
        });
        if (summary.skippedFiles.length) {
          err(`edgebot: warning: skipped ${summary.skippedFiles.length} bad data file(s): ${summary.skippedFiles.map((f) => f.problem).join('; ')}\n`);
        }
        out(JSON.stringify(summary) + '\n');
        return EXIT.ok;
      }
      case 'download-data': {
        const { downloadData, downloadOptions } = await import('./download-data.js');
        const isTTY = (io.stderr as { isTTY?: boolean }).isTTY === true;
        const summary = await downloadData({ ...downloadOptions(values), progress: { tty: isTTY, write: err } });
        out(JSON.stringify(summary) + '\n');
        return EXIT.ok;
      }
      case 'validate-config': {
        const r = preflight({ config: values.config, env: io.env });
        if (r.telegram) secrets.push(r.telegram.token);
        out(`config OK; ${Object.keys(r.liveParams).length} parameter sets; ${r.validated.signals.length} validated signals; ` +
          `telegram ${r.telegram ? 'configured' : r.config.chat.type === 'console' ? 'not used (console chat)' : 'not configured (console chat)'}\n`);
        for (const w of r.warnings) out(`warning: ${w}\n`);
        return EXIT.ok;
      }
      case 'check-telegram': {
        await checkTelegram(values.config, io.env, secrets, out);
        return EXIT.ok;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE + '\n');
        return EXIT.ok;
      default:
        err(`edgebot: unknown command "${command}"\n\n${USAGE}\n`);
        return EXIT.usage;
    }
  } catch (e) {
    const f = describeFailure(e, secrets, debug);
    err(f.text);
    return f.code;
  }
}

let handlersInstalled = false;
/** While a bot runs: tells the owner and flushes the state before a crash exits (bounded). */
let crashReporter: ((e: unknown) => Promise<void>) | undefined;

/**
 * Errors that escape `main` later (a rejected promise nobody awaited, an 'error' event in `run`)
 * would make Node print a raw stack — with the token in a Bot API URL. Print them redacted instead
 * and exit 70.
 */
function installProcessHandlers(secrets: readonly string[], debug: boolean): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  let dying = false;
  const die = (e: unknown) => {
    if (dying) return;
    dying = true;
    const f = describeFailure(e, secrets, debug);
    process.stderr.write(f.text);
    void (crashReporter?.(e) ?? Promise.resolve()).finally(() => process.exit(f.code));
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}
