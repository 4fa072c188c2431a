#!/usr/bin/env node
// Thin launcher: registers tsx so the TypeScript sources run without a build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/app/cli.ts');
process.exitCode = await main(process.argv.slice(2));
