import type { LinkSecret } from '../domain/link-token.ts';
import type { Clock, Mailer, NominationStore, RoundStarter, WorkflowCallbacks } from '../domain/ports.ts';

/** Everything a use case may touch. Handlers pass the real adapters, tests pass fakes. */
export interface Deps {
  store: NominationStore;
  mailer: Mailer;
  callbacks: WorkflowCallbacks;
  clock: Clock;
  /** Where links point: the HTTP API's public URL. */
  publicBaseUrl: string;
  /** The link-token pepper, read once per process (adapters/link-secret.ts). */
  linkSecret: () => Promise<LinkSecret>;
}

export interface StartDeps {
  store: NominationStore;
  rounds: RoundStarter;
  clock: Clock;
}
