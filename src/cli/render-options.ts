import { resolve } from 'node:path';
import type { RenderSetting } from '../run/render-phase.js';
import { UsageError } from '../usage-error.js';

/** The options of every command that loads a fleet (audit, merge, lint, mr): how Applications are rendered. */
export const RENDER_OPTIONS = {
  'no-render': { type: 'boolean', default: false },
  helm: { type: 'string' },
  kustomize: { type: 'string' },
  'render-remote': { type: 'boolean', default: false },
  'chart-cache': { type: 'string' },
  'render-cache': { type: 'string' },
  'render-timeout': { type: 'string' },
} as const;

/** The usage lines of RENDER_OPTIONS, for each command's usage text. */
export const RENDER_USAGE = `  Rendering (what ArgoCD would apply; see docs/rendering.md):
  --no-render                read Applications as written: no helm, no kustomize
  --helm <path>              the helm binary (default: helm on PATH, else fleetlint's .tools/bin)
  --kustomize <path>         the kustomize binary (default: kustomize on PATH, else .tools/bin)
  --render-remote            also render charts from Helm repositories, remote chart dependencies and
                             remote kustomize bases (fetched over the network)
  --chart-cache <dir>        where --render-remote keeps pulled charts (default: <render cache>/charts)
  --render-cache <dir>       renders cached by content hash (default: $FLEETLINT_CACHE_DIR/render, else
                             ~/.cache/fleetlint/render)
  --render-timeout <s>       a renderer still running after this many seconds is stopped (default 90)`;

interface RenderOptionValues {
  'no-render'?: boolean | undefined;
  helm?: string | undefined;
  kustomize?: string | undefined;
  'render-remote'?: boolean | undefined;
  'chart-cache'?: string | undefined;
  'render-cache'?: string | undefined;
  'render-timeout'?: string | undefined;
}

/** The render setting the parsed options ask for; `changedFiles` limits the render to what a change touches. */
export function renderSettingFrom(values: RenderOptionValues, changedFiles?: ReadonlyMap<string, ReadonlySet<string>>): RenderSetting {
  if (values['no-render'] === true) {
    const stray = (['helm', 'kustomize', 'chart-cache', 'render-cache', 'render-timeout'] as const).find((name) => values[name] !== undefined);
    if (stray !== undefined || values['render-remote'] === true) throw new UsageError(`--${stray ?? 'render-remote'} goes with rendering; --no-render turns it off`);
    return { off: '--no-render' };
  }
  const timeout = values['render-timeout'];
  if (timeout !== undefined && !(/^\d+(?:\.\d+)?$/.test(timeout.trim()) && Number(timeout) > 0)) throw new UsageError(`--render-timeout ${timeout}: expected a number of seconds above 0`);
  return {
    ...(values.helm !== undefined ? { helm: values.helm } : {}),
    ...(values.kustomize !== undefined ? { kustomize: values.kustomize } : {}),
    ...(values['render-remote'] === true ? { renderRemote: true } : {}),
    ...(values['chart-cache'] !== undefined ? { chartCacheDir: resolve(values['chart-cache']) } : {}),
    ...(values['render-cache'] !== undefined ? { cacheDir: resolve(values['render-cache']) } : {}),
    ...(timeout !== undefined ? { timeoutMs: Math.round(Number(timeout) * 1000) } : {}),
    ...(changedFiles ? { changedFiles } : {}),
  };
}
