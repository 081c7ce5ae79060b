// Fallback measurement where GNU time is missing: runs the CLI in this process and, on exit, writes this
// process's resource usage (CPU times, peak RSS) to the file named by the first argument.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [usageFile, cli, ...args] = process.argv.slice(2);
process.on('exit', () => writeFileSync(usageFile, JSON.stringify(process.resourceUsage())));
process.argv = [process.argv[0], cli, ...args];
await import(pathToFileURL(cli).href);
