// Preloaded into a bot child process (node --import): makes Date.now() the test's simulated
// clock, which the test process shares through a small JSON file:
//   { base, anchor, msPerMinute, running }  →  now = base + (realNow − anchor) · 60000 / msPerMinute
// while running, `base` while paused. Only the wall clock moves; timers are untouched.
import { readFileSync } from 'node:fs';

const file = process.env.EDGEBOT_SIM_CLOCK;
if (file) {
  const realNow = Date.now.bind(Date);
  let spec = JSON.parse(readFileSync(file, 'utf8'));
  const read = () => {
    try {
      spec = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // The test rewrites the file; a torn read keeps the previous spec.
    }
  };
  setInterval(read, 5).unref();
  Date.now = () => (spec.running ? Math.floor(spec.base + ((realNow() - spec.anchor) * 60_000) / spec.msPerMinute) : spec.base);
}
