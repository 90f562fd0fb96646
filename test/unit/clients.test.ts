/**
 * The SDK clients' helpers (functions/adapters/clients.ts): a client made on its first
 * request, and network failures named so that the workflows retry them.
 */
import { describe, expect, it } from 'vitest';
import { isNetworkError, onFirstUse } from '../../functions/adapters/clients.ts';

describe('onFirstUse', () => {
  it('makes the client on the first request only, and sends every request through it', async () => {
    // prepare: a client that records its requests, and a count of how often it is made
    const sent: string[] = [];
    let made = 0;
    const client = {
      prefix: 'sent:',
      async send(command: string) {
        sent.push(this.prefix + command);
        return command.length;
      },
    };
    const lazy = onFirstUse(() => {
      made++;
      return client;
    });
    // assess: nothing made before a request
    expect(made).toBe(0);
    // act
    const answers = [await lazy.send('SendEmail'), await lazy.send('SendTaskSuccess')];
    // assess: the client's own method (its `this` intact), answers passed back
    expect(answers).toEqual([9, 15]);
    expect(sent).toEqual(['sent:SendEmail', 'sent:SendTaskSuccess']);
    expect(made).toBe(2); // the factory is the clients.ts singleton getter: asked each time, made once
  });

  it('passes a failed request on as it failed', async () => {
    const lazy = onFirstUse(() => ({
      send: async (_command: string): Promise<never> => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      },
    }));
    const error = await lazy.send('x').catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
  });
});
