import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import type { SessionModuleOptions } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { createTestApp } from '../support/test-app.js';

/**
 * The security scenarios that apply to every mode of the module (tamper, fixation, idle and
 * absolute timeouts), run on the near cache and on header-token transport. Cookie mode and
 * stateless cookie sessions have their own suites.
 */
const redis = useStandalone();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Mode {
  readonly name: string;
  readonly options: () => Partial<SessionModuleOptions>;
  /** The credential a response issued, if any. */
  issued(response: Response): string | undefined;
  /** Sets the credential on a request. */
  present(test: request.Test, credential: string): request.Test;
}

const modes: Mode[] = [
  {
    name: 'near cache',
    options: () => ({ redis: redis().url, prefix: 'modes-near:', nearCache: {} }),
    issued: (response) => {
      const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
      return cookies
        .find((c) => c.startsWith('sid='))
        ?.split(';')[0]!
        .slice('sid='.length);
    },
    present: (test, credential) => test.set('cookie', `sid=${credential}`),
  },
  {
    name: 'header token',
    options: () => ({ redis: redis().url, prefix: 'modes-header:', transport: { kind: 'header' } }),
    issued: (response) => (response.headers['x-session-token'] as string | undefined) || undefined,
    present: (test, credential) => test.set('authorization', `Bearer ${credential}`),
  },
];

describe.each(modes)('security scenarios ($name)', (mode) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createTestApp({
      ...mode.options(),
      idleTimeoutMs: 1000,
      absoluteTimeoutMs: 2500,
      slideAfterShare: 0,
    });
  });
  afterAll(() => app.close());

  const http = () => request(app.getHttpServer());

  async function newSession(): Promise<string> {
    const response = await http().put('/t/set').send({ secret: 'victim data' }).expect(200);
    const credential = mode.issued(response);
    expect(credential).toBeDefined();
    return credential!;
  }

  async function read(credential: string) {
    return (await mode.present(http().get('/t/read'), credential)).body as {
      isNew: boolean;
      data: Record<string, unknown>;
    };
  }

  it('gives any tampered token a fresh session', async () => {
    const credential = await newSession();
    expect((await read(credential)).data).toEqual({ secret: 'victim data' });
    for (const position of [0, 5, 13, 30, credential.length - 1]) {
      const char = credential[position] === 'A' ? 'B' : 'A';
      const tampered = credential.slice(0, position) + char + credential.slice(position + 1);
      const body = await read(tampered);
      expect(body.isNew).toBe(true);
      expect(body.data).toEqual({});
    }
  });

  it('kills the pre-sign-in token at sign-in and keeps the data under the new one', async () => {
    const before = await newSession();
    const signIn = await mode.present(http().post('/t/sign-in'), before).send({ id: 'alice' });
    expect(signIn.status).toBe(201);
    const after = mode.issued(signIn);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect((await read(before)).isNew).toBe(true);
    expect((await read(after!)).data).toEqual({ secret: 'victim data' });
  });

  it('ends a session unused past its idle timeout', async () => {
    const credential = await newSession();
    await sleep(600);
    expect((await read(credential)).isNew).toBe(false);
    await sleep(1200);
    const idle = await read(credential);
    expect(idle.isNew).toBe(true);
    expect(idle.data).toEqual({});
  });

  it('ends a session at its absolute timeout even when used all along', async () => {
    const credential = await newSession();
    const started = Date.now();
    let endedAfter = 0;
    while (Date.now() - started < 3500) {
      if ((await read(credential)).isNew) {
        endedAfter = Date.now() - started;
        break;
      }
      await sleep(200);
    }
    expect(endedAfter).toBeGreaterThanOrEqual(2000);
    expect(endedAfter).toBeLessThan(3500);
  });
});
