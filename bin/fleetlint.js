#!/usr/bin/env node
// Thin entry: the CLI itself is compiled TypeScript under dist/.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
