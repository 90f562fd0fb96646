/**
 * Fault points: named places in the code where a test makes something go wrong on purpose,
 * to show what a retry does after it (test/integration/faults.test.ts).
 *
 *   mail:accepted      SES accepted a mail; its outbox row does not say so yet
 *   mail:recorded      the outbox row says sent, the mailer has not returned
 *   step-done:<Step>   a workflow step's use case finished; the handler has not returned
 *
 * A test arms a point with an action: `crash()` throws as if the Lambda died there (the
 * error type AWS reports for a runtime that exited), or any function (cut a network path,
 * count). Production code never arms one; an unarmed point costs one property read. The
 * registry lives on globalThis, so it is the same for the test and for the handlers that
 * the embedded stack imports into the test's process.
 */

export type FaultPointName = 'mail:accepted' | 'mail:recorded' | `step-done:${string}`;

/** What a point tells its action: e.g. the outbox purpose and recipient of the mail. */
export type FaultDetail = Record<string, string | undefined>;
export type FaultAction = (detail: FaultDetail) => void;

const REGISTRY = Symbol.for('nimitys.faultPoints');
type Registry = Map<string, FaultAction>;
const holder = globalThis as { [REGISTRY]?: Registry };

/** Runs the action armed at `name`, if any. Synchronous: an action that throws aborts the caller there. */
export function faultPoint(name: FaultPointName, detail: FaultDetail = {}): void {
  const armed = holder[REGISTRY];
  if (armed === undefined) return;
  armed.get(name)?.(detail);
}

/** Tests only: arms `name`; returns the disarm function. */
export function armFaultPoint(name: FaultPointName, action: FaultAction): () => void {
  holder[REGISTRY] ??= new Map();
  const registry = holder[REGISTRY];
  registry.set(name, action);
  return () => {
    if (registry.get(name) === action) registry.delete(name);
    if (registry.size === 0) delete holder[REGISTRY];
  };
}

/** Tests only: disarms every point. */
export function disarmFaultPoints(): void {
  delete holder[REGISTRY];
}

/**
 * A simulated death of the function at a fault point. Its name is the error type AWS Lambda
 * reports when the runtime exits mid-invocation, which the workflows retry (workflows/retry.ts).
 */
export class SimulatedCrashError extends Error {
  override readonly name = 'Runtime.ExitError';
}

/** An action that crashes the first `times` passes that `when` accepts (default: every pass), then lets through. */
export function crash(
  times = 1,
  when: (detail: FaultDetail) => boolean = () => true,
): FaultAction & { crashes: number } {
  const action = Object.assign(
    (detail: FaultDetail) => {
      if (action.crashes >= times || !when(detail)) return;
      action.crashes++;
      throw new SimulatedCrashError(`Simulated crash (${action.crashes}/${times})`);
    },
    { crashes: 0 },
  );
  return action;
}
