#!/usr/bin/env node
// Entry point of the `board` command. It runs the TypeScript sources through tsx so that a
// checkout needs no separate build step for the CLI.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../lib/cli/main.ts');
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
