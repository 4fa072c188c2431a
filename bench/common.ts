/** Helpers shared by the benchmarks (bench/*.bench.ts): medians and the one-JSON-line report. */

/** Median of `xs` (the middle value; mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `a` and `b` alternately `rounds` times (so background load hits both alike); their times in ms. */
export async function alternate(rounds: number, a: () => unknown, b: () => unknown): Promise<{ a: number[]; b: number[] }> {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let t0 = performance.now();
    await a();
    ta.push(performance.now() - t0);
    t0 = performance.now();
    await b();
    tb.push(performance.now() - t0);
  }
  return { a: ta, b: tb };
}

/** Rounds to `d` decimals. */
export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** Prints one benchmark's result as one JSON line: `{ bench, ...figures, goal, met }`. */
export function report(bench: string, figures: Record<string, unknown>, goal: string, met: boolean): void {
  console.log(JSON.stringify({ bench, ...figures, goal, met }));
}
