#!/usr/bin/env node
// Entry point of `npm run demo`: trains the tutorial's Fashion-MNIST model with Board's engine and
// serves the board on the logs. Runs the TypeScript sources through tsx, as bin/board.js does.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../lib/demo/main.ts');
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
