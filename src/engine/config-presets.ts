import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { builtinPresetsDir } from '../package.js';
import { parseYamlFile, type YamlDocument } from '../model/yaml/parse.js';
import { locatePath } from '../model/yaml/locate.js';

/** One file of a config: the config file itself, or a preset it extends (directly or through another preset). */
export interface ConfigLayer {
  /** The file's path. */
  file: string;
  /** How messages name a preset (`preset homelab`, `preset ./team.yaml`); undefined for the config file itself. */
  preset?: string;
  /** The top-level mapping; `{}` for an empty file. */
  value: Record<string, unknown>;
  document: YamlDocument | undefined;
}

/**
 * The problems of a config and its presets, each with its 1-based line ("line 3: rules.x: ..."), collected so
 * that all of them are reported at once.
 */
export class ConfigProblems {
  readonly #byFile = new Map<string, { preset: string | undefined; messages: string[] }>();

  add(layer: Pick<ConfigLayer, 'file' | 'preset'>, message: string): void {
    const entry = this.#byFile.get(layer.file) ?? { preset: layer.preset, messages: [] };
    entry.messages.push(message);
    this.#byFile.set(layer.file, entry);
  }

  get size(): number {
    return this.#byFile.size;
  }

  /** Every problem, the config file's first, each file's sorted by line; a preset's start with its name. */
  list(): string[] {
    const lineNumber = (problem: string): number => Number(/^line (\d+)/.exec(problem)?.[1] ?? 0);
    const files = [...this.#byFile.values()].sort((a, b) => Number(a.preset !== undefined) - Number(b.preset !== undefined));
    return files.flatMap(({ preset, messages }) => {
      const sorted = [...new Set(messages)].sort((a, b) => lineNumber(a) - lineNumber(b));
      return preset === undefined ? sorted : sorted.map((problem) => `${preset}, ${problem}`);
    });
  }
}

/**
 * The config file's layers in merge order: every preset it extends, depth first and in the order listed (each
 * preset after the presets it extends), then the file itself. A preset is a name (`homelab`: `presets/homelab.yaml`
 * of fleetlint's package) or a path (`./presets/team.yaml`, relative to the file that names it). Problems are
 * collected, not thrown, so that the config loader reports all of them at once.
 */
export function configLayers(file: string, text: string, problems: ConfigProblems): ConfigLayer[] {
  const root = readLayer(file, text, undefined, problems);
  if (!root) return [];
  const layers: ConfigLayer[] = [];
  addWithPresets(root, [resolve(file)], layers, problems);
  return layers;
}

function addWithPresets(layer: ConfigLayer, chain: readonly string[], out: ConfigLayer[], problems: ConfigProblems): void {
  const entries = layer.value.extends;
  // A malformed `extends` is reported by the schema validation that follows.
  if (Array.isArray(entries)) {
    entries.forEach((entry: unknown, index) => {
      if (typeof entry !== 'string' || entry === '') return;
      const preset = presetLayer(entry, layer.file, chain, problems);
      if (typeof preset === 'string') problems.add(layer, `line ${lineOf(layer, ['extends', index])}: extends.${index}: ${preset}`);
      else if (preset) addWithPresets(preset, [...chain, preset.file], out, problems);
    });
  }
  out.push(layer);
}

/** The preset an `extends` entry names, read; a problem with the entry itself as a string. */
function presetLayer(entry: string, fromFile: string, chain: readonly string[], problems: ConfigProblems): ConfigLayer | string | undefined {
  const found = findPreset(entry, fromFile);
  if ('problem' in found) return found.problem;
  if (chain.includes(found.path)) return `${entry} extends this file again, directly or through its presets: a cycle`;
  let text: string;
  try {
    text = readFileSync(found.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${entry}: no such preset file (${found.path})` : `${entry} cannot be read: ${(error as Error).message}`;
  }
  return readLayer(found.path, text, found.label, problems);
}

/** A preset name or path, resolved: names are the files of fleetlint's `presets/` folder. */
function findPreset(entry: string, fromFile: string): { path: string; label: string } | { problem: string } {
  if (/[/\\]/.test(entry) || /\.ya?ml$/.test(entry)) return { path: resolve(dirname(fromFile), entry), label: `preset ${entry}` };
  const names = builtinPresetNames();
  if (!names.includes(entry)) {
    return { problem: `unknown preset "${entry}"; the presets are: ${names.join(', ')}; a preset file of your own is named by its path (./presets/team.yaml)` };
  }
  return { path: resolve(builtinPresetsDir(), `${entry}.yaml`), label: `preset ${entry}` };
}

/** The names of the presets that ship with fleetlint, sorted. */
export function builtinPresetNames(): string[] {
  const dir = builtinPresetsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => name.slice(0, -'.yaml'.length))
    .sort();
}

function readLayer(file: string, text: string, preset: string | undefined, problems: ConfigProblems): ConfigLayer | undefined {
  const own = { file, ...(preset !== undefined ? { preset } : {}) };
  const { parsed, diagnostics } = parseYamlFile('.', file, text);
  const document = parsed.documents[0];
  const value: unknown = document?.value ?? {};
  const found = diagnostics.map((d) => `line ${d.range?.startLine ?? 1}: ${d.message}`);
  if (found.length === 0 && parsed.documents.length > 1) found.push('holds several YAML documents; expected one');
  if (found.length === 0 && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    found.push('the top level must be a mapping (extends:, rules:, overrides:, ...)');
  }
  for (const problem of found) problems.add(own, problem);
  return found.length > 0 ? undefined : { ...own, value: value as Record<string, unknown>, document };
}

export function lineOf(layer: ConfigLayer, path: (string | number)[]): number {
  return layer.document ? locatePath(layer.document, path).range.startLine : 1;
}
