#!/usr/bin/env node
// The `tessera` command. Runs the compiled CLI from dist/ (built by `npm run build:server`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('tessera: dist/cli/main.js is missing; run `npm run build:server` (or `npm run build`) first.\n');
  process.exit(2);
}
await import(main.href);
