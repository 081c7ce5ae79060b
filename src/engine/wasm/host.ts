import { createRequire } from 'node:module';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';

// The SDK is CommonJS whose exports Node's ESM loader cannot detect by name: load it with require.
const { loadPolicy, loadPolicySync } = createRequire(import.meta.url)('@open-policy-agent/opa-wasm') as typeof import('@open-policy-agent/opa-wasm');
import { readPolicyArtifact } from './bundle.js';
import { parseDecisions, type PolicyEvaluation } from './decisions.js';

/** A policy failed while it ran (a conflict between rule values, a builtin error, a trap). */
export class PolicyRuntimeError extends Error {
  constructor(
    /** The policy id when the host knows it, else the entrypoint. */
    readonly policy: string,
    readonly entrypoint: string,
    readonly detail: string,
  ) {
    super(`policy ${policy} failed at run time: ${detail}`);
    this.name = 'PolicyRuntimeError';
  }
}

/** Input serialized once, for evaluating many entrypoints over the same (large) input. */
export class PreparedInput {
  readonly json: ArrayBuffer;
  constructor(input: unknown) {
    const text = JSON.stringify(input) as string | undefined;
    this.json = PreparedInput.encode(text ?? 'null');
  }

  /** Input already serialized, e.g. assembled from JSON parts that are cached and shared by several inputs. */
  static fromJson(text: string): PreparedInput {
    return Object.assign(Object.create(PreparedInput.prototype) as PreparedInput, { json: PreparedInput.encode(text) });
  }

  // TextEncoder returns a fresh buffer of exactly the encoded length, which the SDK writes to wasm memory as is.
  private static encode(text: string): ArrayBuffer {
    return new TextEncoder().encode(text).buffer;
  }
}

export interface PolicyHostOptions {
  /** Data that ships with the module (a bundle's data.json); fleet data from `setData` goes next to it. */
  bundleData?: Record<string, unknown>;
  /** Policy ids by entrypoint, so that runtime errors name the policy. */
  names?: ReadonlyMap<string, string>;
}

/**
 * One compiled policy module, loaded once and evaluated many times. Evaluation is synchronous; after a
 * WebAssembly trap, which may leave the module's memory unusable, the module is instantiated again.
 */
export class PolicyHost {
  readonly entrypoints: readonly string[];
  private data: Record<string, unknown>;

  private constructor(
    private policy: LoadedPolicy,
    private readonly wasm: Uint8Array,
    private readonly options: PolicyHostOptions,
  ) {
    this.data = { ...options.bundleData };
    if (Object.keys(this.data).length > 0) this.policy.setData(this.data);
    this.entrypoints = Object.keys(this.policy.entrypoints as Record<string, number>).sort();
  }

  static async load(wasm: Uint8Array, options: PolicyHostOptions = {}): Promise<PolicyHost> {
    return new PolicyHost(await loadPolicy(wasm), wasm, options);
  }

  /** Loads an `opa build -t wasm` bundle (`.tar.gz`, data included) or a bare `.wasm`. */
  static async fromFile(path: string, options: Omit<PolicyHostOptions, 'bundleData'> = {}): Promise<PolicyHost> {
    const artifact = await readPolicyArtifact(path);
    return PolicyHost.load(artifact.wasm, { ...options, bundleData: artifact.data });
  }

  /**
   * Sets the fleet-wide data (config, provider tables, wave bands). Policies read it as `data.fleet`: a fixed
   * root keeps it apart from the policies' own packages under `data.fleetlint` and from the bundle's data.
   */
  setData(fleet: unknown): void {
    if (this.options.bundleData && 'fleet' in this.options.bundleData) {
      throw new Error('the policy bundle has its own data.fleet, which fleet data would replace');
    }
    this.data = { ...this.options.bundleData, fleet };
    this.policy.setData(this.data);
  }

  /** Evaluates a `deny` entrypoint and checks the shape of every decision item. */
  evaluate(entrypoint: string, input: unknown): PolicyEvaluation {
    return parseDecisions(this.evaluateRaw(entrypoint, input));
  }

  /** The value of the entrypoint's document, `undefined` when it is undefined for this input. */
  evaluateRaw(entrypoint: string, input: unknown): unknown {
    if (!this.entrypoints.includes(entrypoint)) {
      throw new Error(`no entrypoint ${entrypoint} in this policy module (it has: ${this.entrypoints.join(', ')})`);
    }
    let resultSet: unknown;
    try {
      resultSet = this.policy.evaluate(input instanceof PreparedInput ? input.json : input, entrypoint);
    } catch (error) {
      if (error instanceof Error && error.name === 'RuntimeError') this.reinstantiate();
      throw new PolicyRuntimeError(this.options.names?.get(entrypoint) ?? entrypoint, entrypoint, describe(error));
    }
    // The SDK returns a result set: [] when undefined, else [{result: value}].
    if (!Array.isArray(resultSet) || resultSet.length === 0) return undefined;
    const first: unknown = resultSet[0];
    return typeof first === 'object' && first !== null ? (first as { result?: unknown }).result : undefined;
  }

  private reinstantiate(): void {
    this.policy = loadPolicySync(this.wasm);
    if (Object.keys(this.data).length > 0) this.policy.setData(this.data);
  }
}

/** The SDK throws strings (`opa_abort`), `{message}` objects (missing builtins) and errors. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}
