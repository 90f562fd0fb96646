/**
 * The integration suite a second time, against AWS's own DynamoDB Local instead of dynalite
 * (`npm run test:dynamodb-local`, part of `npm test`): each suite's embedded stack starts its
 * own DynamoDB Local on a free 127.0.0.1 port (local/dynamodb-local.ts). Without Java the
 * pass is skipped, loudly.
 */
import { configDefaults, defineConfig } from 'vitest/config';
import { DYNAMODB_BACKEND_ENV, dynamoDBLocalUnavailable } from './local/dynamodb-local.ts';
import base from './vitest.config.ts';

const unavailable = dynamoDBLocalUnavailable();
if (unavailable) {
  console.warn(`\n*** SKIPPED: the integration pass against DynamoDB Local: ${unavailable} ***\n`);
}

// Spread, not mergeConfig: that would append to the base config's `include`.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    name: 'dynamodb-local',
    include: unavailable ? [] : ['test/integration/**/*.test.ts'],
    // That suite sets up both emulators itself: the first pass has run it.
    exclude: [...configDefaults.exclude, 'test/integration/dynamodb-local.test.ts'],
    passWithNoTests: Boolean(unavailable),
    // A stack here starts a JVM besides everything else (2–4 s more on two busy cores).
    hookTimeout: 180_000,
    env: { ...base.test?.env, [DYNAMODB_BACKEND_ENV]: 'dynamodb-local' },
  },
});
