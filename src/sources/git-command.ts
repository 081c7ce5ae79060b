import { execFile } from 'node:child_process';

/**
 * Runs one git command in `dir` and gives its standard output. Used where a command runs once per repo (listing the
 * index or a tree, reading a config value): execFile directly, without simple-git's task queue, which also waits an
 * extra 50 ms whenever a command prints nothing — a pre-commit run pays for every millisecond.
 */
export function git(dir: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', [...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(' ')} failed in ${dir}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}
