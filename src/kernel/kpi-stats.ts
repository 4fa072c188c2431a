/** Nearest-rank percentile (`p` in 0…100) of `xs`; null when empty. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1];
}

/** Arithmetic mean; null when empty. */
export function mean(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Largest value; null when empty. */
export function max(xs: readonly number[]): number | null {
  return xs.length ? Math.max(...xs) : null;
}
