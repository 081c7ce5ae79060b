import * as opaWasm from '@open-policy-agent/opa-wasm';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { readPolicyArtifact } from './bundle.js';
import { parseDecisions, type PolicyEvaluation } from './decisions.js';

// The SDK's ES module entry names only loadPolicy; the whole API is its default export (its CommonJS module).
// Imported, not required at run time, so that the CLI bundle holds it (and its code cache with it).
const { loadPolicySync } = (opaWasm as typeof opaWasm & { default?: typeof opaWasm }).default ?? opaWasm;

// The WebAssembly global, as far as it is used here (the TypeScript libs in use do not declare it).
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<Parameters<typeof loadPolicySync>[0]> };

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

/** The exports of OPA's WebAssembly ABI (1.x) that `evaluateKeepingHeap` calls: addresses are numbers. */
interface OpaExports {
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(address: number): void;
  opa_malloc(size: number): number;
  opa_json_parse(address: number, length: number): number;
  opa_json_dump(value: number): number;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(context: number, value: number): void;
  opa_eval_ctx_set_data(context: number, value: number): void;
  opa_eval_ctx_set_entrypoint(context: number, entrypoint: number): void;
  opa_eval_ctx_get_result(context: number): number;
  eval(context: number): number;
}

/**
 * How much of what evaluations leave on the module's heap is kept before the heap is reset. OPA's runtime frees
 * nothing during an evaluation and expects its host to reset the heap before the next, which also empties its
 * cache of compiled regular expressions: a repo-scope policy that matches a few patterns per repo then compiles
 * them for every repo. Keeping the heap over several evaluations keeps the compiled patterns too; this bounds
 * the memory that costs.
 */
const KEPT_HEAP_BYTES = 16 * 1024 * 1024;

/**
 * The heap an evaluation is given room for, per byte of input, before it starts. OPA's runtime grows the module's
 * memory by what each allocation lacks, a page (64 KiB) at a time, and V8 answers nearly every growth with a full
 * garbage collection of the JavaScript heap: an evaluation that parses a 7 MB input ran 120 of them, 2 s instead
 * of 0.1 s with the memory grown beforehand in one step. Parsed input takes 10-16 times its JSON text.
 */
const HEAP_PER_INPUT_BYTE = 16;

const decoder = new TextDecoder();

/** What the SDK's LoadedPolicy holds and this host reads (its typings use WebAssembly types outside this project's lib). */
interface LoadedPolicyState {
  /** The module instance (the SDK keeps the Instance, not the instantiated source). */
  wasmInstance: { exports: unknown };
  mem: { buffer: ArrayBuffer };
  /** The fleet data's value, and the heap address where evaluations start, both set by `setData`. */
  dataAddr: number;
  dataHeapPtr: number;
  /** Entrypoint ids by name. */
  entrypoints: Record<string, number>;
}

/** A host as plain data that structured clone copies to another thread. */
export interface PortableHost {
  wasm: Uint8Array;
  options: PolicyHostOptions;
  data: Record<string, unknown>;
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
  /** After a failed evaluation the heap holds whatever it left half done: start the next one afresh. */
  private heapSuspect = false;

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
    // Compiled here and instantiated by the SDK's sync path: its async one asks whether the module is a fetch
    // `Response`, and that first touch of the global loads node's fetch implementation (20 ms).
    return new PolicyHost(loadPolicySync(await WebAssembly.compile(wasm)), wasm, options);
  }

  /** What makes the same host in another thread (see PolicyThread): the module, its data and options. */
  get portable(): PortableHost {
    return { wasm: this.wasm, options: this.options, data: this.data };
  }

  static async fromPortable(portable: PortableHost): Promise<PolicyHost> {
    const host = await PolicyHost.load(portable.wasm, portable.options);
    host.data = portable.data;
    if (Object.keys(host.data).length > 0) host.policy.setData(host.data);
    return host;
  }

  /** Loads an `opa build -t wasm` bundle (`.tar.gz`, data included) or a bare `.wasm`. */
  static async fromFile(path: string, options: Omit<PolicyHostOptions, 'bundleData'> = {}): Promise<PolicyHost> {
    const artifact = await readPolicyArtifact(path);
    return PolicyHost.load(artifact.wasm, { ...options, bundleData: artifact.data });
  }

  /**
   * Sets the fleet-wide data (the model's vocabulary, see engine/checks.ts). Policies read it as `data.fleet`: a fixed
   * root keeps it apart from the policies' own packages under `data.fleetlint` and from the bundle's data.
   */
  setData(fleet: unknown): void {
    if (this.options.bundleData && 'fleet' in this.options.bundleData) {
      throw new Error('the policy bundle has its own data.fleet, which fleet data would replace');
    }
    this.data = { ...this.options.bundleData, fleet };
    this.policy.setData(this.data);
  }

  /** The size of the module's memory, which grows and never shrinks: what the host's evaluations cost in memory. */
  get memoryBytes(): number {
    return (this.policy as unknown as LoadedPolicyState).mem.buffer.byteLength;
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
      resultSet = this.evaluateKeepingHeap(entrypoint, input);
    } catch (error) {
      this.heapSuspect = true;
      if (error instanceof Error && error.name === 'RuntimeError') this.reinstantiate();
      throw new PolicyRuntimeError(this.options.names?.get(entrypoint) ?? entrypoint, entrypoint, describe(error));
    }
    // The SDK returns a result set: [] when undefined, else [{result: value}].
    if (!Array.isArray(resultSet) || resultSet.length === 0) return undefined;
    const first: unknown = resultSet[0];
    return typeof first === 'object' && first !== null ? (first as { result?: unknown }).result : undefined;
  }

  /**
   * What the SDK's `evaluate` does (copy the input into the module, parse it, evaluate, dump the result), through
   * the same documented ABI exports, except that the heap is reset only when evaluations have left more than
   * KEPT_HEAP_BYTES on it (the SDK resets it before every evaluation, and with it the compiled regular
   * expressions), and that the memory is grown beforehand, in one step, to give the evaluation room.
   */
  private evaluateKeepingHeap(entrypoint: string, input: unknown): unknown {
    const policy = this.policy as unknown as LoadedPolicyState;
    const exports = policy.wasmInstance.exports as OpaExports;
    // Like the SDK, a falsy plain value means no input at all.
    const text = input instanceof PreparedInput ? new Uint8Array(input.json) : input ? new TextEncoder().encode(JSON.stringify(input)) : undefined;
    this.makeRoom(exports, (text?.byteLength ?? 0) * HEAP_PER_INPUT_BYTE);
    let inputValue = 0;
    if (text) {
      const address = exports.opa_malloc(text.byteLength);
      // Read the memory's buffer after the allocation: growing the memory replaces it.
      new Uint8Array(policy.mem.buffer).set(text, address);
      inputValue = exports.opa_json_parse(address, text.byteLength);
      if (inputValue === 0) throw new Error('the policy input is not valid JSON');
    }
    const context = exports.opa_eval_ctx_new();
    exports.opa_eval_ctx_set_input(context, inputValue);
    exports.opa_eval_ctx_set_data(context, policy.dataAddr);
    exports.opa_eval_ctx_set_entrypoint(context, policy.entrypoints[entrypoint] ?? -1);
    if (exports.eval(context) !== 0) throw new Error('eval failed');
    const result = exports.opa_json_dump(exports.opa_eval_ctx_get_result(context));
    const memory = new Uint8Array(policy.mem.buffer);
    return JSON.parse(decoder.decode(memory.subarray(result, memory.indexOf(0, result)))) as unknown;
  }

  /**
   * Resets the heap when it is suspect, holds more than KEPT_HEAP_BYTES of earlier evaluations or lacks `room`;
   * grows the memory when even an empty heap lacks it. Room for the kept heap is part of what is asked for, so
   * that the memory reaches its size in a step or two and stays there.
   */
  private makeRoom(exports: OpaExports, needed: number): void {
    const policy = this.policy as unknown as LoadedPolicyState;
    const heapBase = policy.dataHeapPtr;
    const room = Math.max(needed, 2 * KEPT_HEAP_BYTES);
    const heapTop = (): number => policy.mem.buffer.byteLength;
    const heapPointer = exports.opa_heap_ptr_get();
    if (!this.heapSuspect && heapPointer - heapBase <= KEPT_HEAP_BYTES && heapTop() - heapPointer >= needed) return;
    exports.opa_heap_ptr_set(heapBase);
    this.heapSuspect = false;
    if (heapTop() - heapBase < room) {
      // One allocation past the end makes the runtime grow the memory by all it lacks at once; then drop it.
      exports.opa_malloc(room);
      exports.opa_heap_ptr_set(heapBase);
    }
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
