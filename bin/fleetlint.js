#!/usr/bin/env node
// Thin entry: the CLI is compiled TypeScript, bundled into one module for a fast start (scripts/bundle.mjs).
import { main } from '../dist/fleetlint.mjs';

process.exitCode = await main(process.argv.slice(2));
