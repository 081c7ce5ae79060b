/** Worker thread entry of PolicyThread: a copy of a policy host, evaluating batches of inputs in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { PolicyHost, PreparedInput, type PortableHost } from './host.js';
import type { PolicyAnswer, PolicyRequest } from './policy-thread.js';

const port = parentPort;
if (!port) throw new Error('policy-worker runs as a worker thread');
const host = PolicyHost.fromPortable(workerData as PortableHost);

let queue = Promise.resolve();
port.on('message', (request: PolicyRequest) => {
  queue = queue.then(async () => {
    const loaded = await host;
    const results = request.inputs.map((input) => {
      try {
        return loaded.evaluate(request.entrypoint, PreparedInput.fromJson(input));
      } catch {
        return undefined;
      }
    });
    port.postMessage({ id: request.id, results } satisfies PolicyAnswer);
  });
});
