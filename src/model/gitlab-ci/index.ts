export type { CiFileLookup, CiInclude, CiJob, CiPipeline, CiResolveContext, CiResolveResult, CiScriptLine } from './types.js';
export { resolvePipeline, CI_FILE } from './resolve.js';
