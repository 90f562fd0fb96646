// dynalite on a thread of its own (local/stack.ts): the table's work — request validation,
// expression parsing, the LevelDB store and its garbage — runs beside the handlers instead
// of taking turns with them on the one JavaScript thread. Same process, same port semantics.
// workerData: { path?: string, port: number }. Messages: 'close' → 'closed' once closed.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.once('error', (error) => parentPort.postMessage({ error: error.message }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  server.close(() => {
    parentPort.postMessage('closed');
    parentPort.close();
  });
  server.closeAllConnections?.();
});
