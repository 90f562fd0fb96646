/**
 * The benchmarks' counters inside the embedded stack's routes' threads (its preload): each
 * count goes to the main thread's counters over COUNTED_CHANNEL (instrument.ts).
 */
import { BroadcastChannel } from 'node:worker_threads';
import { COUNTED_CHANNEL, observe } from './instrument.ts';

const toMain = new BroadcastChannel(COUNTED_CHANNEL);
observe((counted) => toMain.postMessage(counted));
