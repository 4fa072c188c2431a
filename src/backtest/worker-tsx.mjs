// Worker-thread entry when edgebot runs from its TypeScript sources (no dist/ bundle): tsx's
// loader is registered per thread, so register it here, then load the real entry.
import { register } from 'tsx/esm/api';

register();
const { default: runShard } = await import('./worker.ts');
export default runShard;
