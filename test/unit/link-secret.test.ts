/**
 * The link-token pepper: HMAC hashes, rotation through "previous", and the secret read once
 * per process from Secrets Manager (mocked SDK), never echoed in an error.
 */
import { createHash } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { linkSecretSource } from '../../functions/adapters/link-secret.ts';
import {
  hashToken,
  LinkSecretError,
  newLinkToken,
  parseLinkSecret,
  tokenHashCandidates,
} from '../../functions/domain/link-token.ts';
import { openLink } from '../../functions/use-cases/link-actions.ts';
import { memoryDeps } from '../fakes/memory.ts';

const OLD = 'old-pepper-0123456789abcdef0123456789abcdef';
const NEW = 'new-pepper-0123456789abcdef0123456789abcdef';

describe('link-token hashes', () => {
  it('are HMAC-SHA256 under the pepper: another pepper gives another hash, no pepper no match', () => {
    const { token, tokenHash } = newLinkToken({ current: NEW });
    expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash).toBe(hashToken(token, NEW));
    expect(hashToken(token, OLD)).not.toBe(tokenHash);
    // The plain SHA-256 of the token (the old scheme) is not what is stored.
    expect(tokenHash).not.toBe(createHash('sha256').update(token).digest('hex'));
  });

  it('after a rotation, are looked up under the current pepper first, then the previous one', () => {
    const token = newLinkToken({ current: OLD }).token;
    expect(tokenHashCandidates(token, { current: NEW, previous: OLD })).toEqual([
      hashToken(token, NEW),
      hashToken(token, OLD),
    ]);
    expect(tokenHashCandidates(token, { current: NEW })).toEqual([hashToken(token, NEW)]);
  });

  it('a link minted before the rotation still opens after it; one minted under an unknown pepper does not', async () => {
    // prepare: a stored link hashed with the old pepper
    const deps = memoryDeps();
    const { token, tokenHash } = newLinkToken({ current: OLD });
    await deps.store.putLink({
      tokenHash,
      roundId: 'r',
      municipalityId: 'm',
      step: 'proposal',
      recipientEmail: 'a@example.fi',
      recipientName: 'A',
      status: 'used',
      createdAt: '2023-10-01T09:00:00.000Z',
      expiresAt: '2023-11-01T09:00:00.000Z',
      mailPurpose: 'p',
      csrf: 'c',
    });
    // act + assess: found (and reported as used) with {current: new, previous: old} …
    const rotated = { ...deps, linkSecret: async () => ({ current: NEW, previous: OLD }) };
    await expect(openLink(token, rotated)).rejects.toMatchObject({ reason: 'used' });
    // … and unknown once the previous pepper is dropped
    const dropped = { ...deps, linkSecret: async () => ({ current: NEW }) };
    await expect(openLink(token, dropped)).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

describe('the link secret', () => {
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => secrets.reset());

  it('is read from Secrets Manager once per process, however many links are hashed', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ current: NEW }) });
    const source = linkSecretSource(
      { secretArn: 'arn:aws:secretsmanager:eu-north-1:1:secret:x' },
      () => new SecretsManagerClient({ region: 'eu-north-1' }),
    );
    const read = await Promise.all([source(), source(), source()]);
    expect(read).toEqual([{ current: NEW }, { current: NEW }, { current: NEW }]);
    expect(await source()).toEqual({ current: NEW });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input.SecretId).toContain('secret:x');
  });

  it('tries again after a failed read instead of caching the failure', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({ SecretString: JSON.stringify({ current: NEW }) });
    const source = linkSecretSource(
      { secretArn: 'arn' },
      () => new SecretsManagerClient({ region: 'eu-north-1' }),
    );
    await expect(source()).rejects.toThrow('throttled');
    expect(await source()).toEqual({ current: NEW });
  });

  it("takes the embedded stack's value without calling AWS, and fails loudly when nothing is set", async () => {
    const local = linkSecretSource({ value: JSON.stringify({ current: OLD }) }, () => {
      throw new Error('no AWS here');
    });
    expect(await local()).toEqual({ current: OLD });
    const none = linkSecretSource({}, () => new SecretsManagerClient({}));
    await expect(none()).rejects.toMatchObject({ name: 'ConfigurationError' });
  });

  it('refuses a short or malformed value without echoing it', () => {
    const short = JSON.stringify({ current: 'tiny-secret' });
    expect(() => parseLinkSecret(short)).toThrow(LinkSecretError);
    try {
      parseLinkSecret(short);
    } catch (error) {
      expect((error as Error).message).not.toContain('tiny-secret');
    }
    expect(() => parseLinkSecret('not json tiny-secret')).toThrow(/not JSON$/);
    expect(() => parseLinkSecret(JSON.stringify({ current: NEW, previous: 'x' }))).toThrow(LinkSecretError);
  });
});
