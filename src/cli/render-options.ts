import { resolve } from 'node:path';
import type { RenderSetting } from '../run/render-phase.js';
import { UsageError } from '../usage-error.js';

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
