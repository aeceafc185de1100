import type { INestApplication } from '@nestjs/common';
import { useStandalone, waitFor } from '../harness/index.js';
import { describeSampleAppContract } from './sample-app-contract.js';
import { serverOf, startSampleApp } from './sample-app-harness.js';
import { SampleClient } from './sample-client.js';

// The whole contract with token rotation on (the shortest interval the options allow, and a
// grace for requests in flight with the replaced token), each instance with its near cache.
const redis = useStandalone();
const env = () => ({
  REDIS_URL: redis().url,
  SESSION_NEAR_CACHE: 'true',
  SESSION_ROTATION_INTERVAL_MS: '1000',
  SESSION_ROTATION_GRACE_MS: '5000',
});
describeSampleAppContract('Redis with near cache and token rotation', env, 2);

describe('sample app with SESSION_ROTATION_INTERVAL_MS', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startSampleApp(env());
  });
  afterAll(() => app.close());

  it('replaces the token of a signed-in session once the interval passed; the user stays', async () => {
    const visitor = new SampleClient(serverOf(app));
    expect((await visitor.signIn('alice')).status).toBe(200);
    const first = visitor.credentials();
    await waitFor(
      'a rotated token',
      async () => {
        const response = await visitor.get('/api/me');
        expect(response.status).toBe(200);
        expect(visitor.credentials()).not.toBe(first);
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    const replay = new SampleClient(serverOf(app));
    replay.useCredentials(first);
    // Inside the grace the replaced token still reaches the session.
    expect((await replay.get('/api/me')).status).toBe(200);
  });
});
