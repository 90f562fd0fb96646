// The thread of local/handler-thread.ts: the HTTP routes' functions, each imported once (a
// warm Lambda container), answering the invocations the main thread posts.
// Plain JavaScript: tsx is registered here, before the first TypeScript import, because a
// worker gets no loader from its parent (neither tsx's under `npm start` nor vitest's).
// workerData: { functions: LocalFunction[], preload: string[] (module URLs imported first) }.
// Messages in: { id, arn, event }. Out: 'ready' once warm; { id, result } or { id, error }.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
for (const url of workerData.preload) await import(url);
const { LocalLambdaRuntime } = await import('./lambda-runtime.ts');
const runtime = new LocalLambdaRuntime(workerData.functions);
await runtime.warm();
parentPort.on('message', async ({ id, arn, event }) => {
  try {
    parentPort.postMessage({ id, result: await runtime.invoke(arn, event) });
  } catch (error) {
    parentPort.postMessage({
      id,
      error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) },
    });
  }
});
parentPort.postMessage('ready');
