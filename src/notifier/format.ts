/** Escapes text for Telegram HTML parse mode (only &, <, > need it). */
export function esc(s: string | number): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A price with precision that suits its size: 104,235.1 / 2.3145 / 0.0001234. */
export function price(p: number): string {
  if (!Number.isFinite(p)) return '—';
  const a = Math.abs(p);
  const digits = a >= 1000 ? 2 : a >= 1 ? 4 : a >= 0.01 ? 5 : 8;
  return p.toLocaleString('en-US', { minimumFractionDigits: Math.min(digits, 2), maximumFractionDigits: digits });
}

/** Money in quote currency with 2 decimals and a sign when asked: +12.34. */
const MONEY = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export function money(x: number, signed = false): string {
  // One formatter for every call: toLocaleString builds a new one each time.
  const s = MONEY.format(Math.abs(x));
  return (x < 0 ? '−' : signed ? '+' : '') + s;
}

export function pct(x: number, digits = 2, signed = false): string {
  return (x < 0 ? '−' : signed && x > 0 ? '+' : '') + Math.abs(x).toFixed(digits) + '%';
}

export function qty(q: number): string {
  return q >= 100 ? q.toFixed(2) : q >= 1 ? q.toFixed(4) : q.toPrecision(4);
}

/** `2025-03-04 12:35 UTC`. */
export function utc(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function duration(ms: number): string {
  const m = Math.floor(ms / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m % 60}m` : `${m}m`;
}

/** HTML → plain text for the console chat: tags dropped, entities decoded. */
export function htmlToText(html: string): string {
  return html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

/** Splits a message into chunks of at most `max` chars (Telegram: 4096), at line breaks where possible. */
export function splitMessage(text: string, max = 4096): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut <= 0) cut = max;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest) out.push(rest);
  return out;
}
