/**
 * The floor bench's recorder inside the embedded stack's routes' threads (its preload): each
 * invocation of a link page, as it ends, goes to the main thread over RECORDED_CHANNEL.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { RECORDED_CHANNEL, recordInvocations } from './recording.ts';

const toMain = new BroadcastChannel(RECORDED_CHANNEL);
recordInvocations({ wanted: () => true, ended: (entry) => toMain.postMessage(entry) });
