#!/usr/bin/env node
// Builds dist/ from src/ with esbuild (npm's `prepare` runs it on `npm ci`). Bundling is why the
// CLI starts fast: Node loads a few files instead of ~150 TypeScript modules through tsx's loader,
// and no `__name` wrappers are added around closures (esbuild only adds them with keepNames).
import { bundle } from './bundle.js';

// cli: what bin/edgebot.js runs.
await bundle({ cli: 'src/app/cli.ts' }, 'dist', { sourcemap: true });
