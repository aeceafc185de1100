import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CookieJar } from '../support/cookie-jar.js';

/** One request of the load: when it ended, how long it took, what it got. */
export interface Outcome {
  readonly endedAt: number;
  readonly ms: number;
  readonly status: number;
}

/** A client that writes an increasing counter and remembers the last value acknowledged (200). */
export class CountingClient {
  readonly jar = new CookieJar();
  lastAcked = 0;
  private next = 1;

  constructor(private readonly app: INestApplication) {}

  async start(): Promise<void> {
    const response = await request(this.app.getHttpServer())
      .put('/m/set')
      .send({ n: 0 })
      .expect(200);
    this.jar.take(response);
  }

  /** One write; never throws: a failure is an outcome. */
  async write(): Promise<Outcome> {
    const value = this.next++;
    const started = Date.now();
    let status: number;
    try {
      const response = await request(this.app.getHttpServer())
        .put('/m/set')
        .set('cookie', this.jar.header)
        .send({ n: value })
        .timeout(15_000);
      status = response.status;
      if (status === 200) this.lastAcked = value;
    } catch {
      status = -1; // client-side timeout or socket error: a hang, counted as a failure
    }
    return { endedAt: Date.now(), ms: Date.now() - started, status };
  }

  async read(): Promise<number | undefined> {
    const response = await request(this.app.getHttpServer())
      .get('/m/me')
      .set('cookie', this.jar.header)
      .timeout(15_000);
    if (response.status !== 200) throw new Error(`read answered ${response.status}`);
    return (response.body.data as { n?: number }).n;
  }
}

/** Runs every client in a loop until `stop()` is called; returns the outcomes. */
export function runLoad(clients: readonly CountingClient[]): {
  stop: () => Promise<Outcome[]>;
  outcomes: Outcome[];
} {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = clients.map(async (client) => {
    while (running) {
      const outcome = await client.write();
      outcomes.push(outcome);
      if (outcome.status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

/** Waits until `count` consecutive writes succeed after `since` (the module serves again). */
export async function waitForRecovery(
  outcomes: readonly Outcome[],
  since: number,
  count: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const after = outcomes.filter((o) => o.endedAt > since);
    const tail = after.slice(-count);
    if (tail.length === count && tail.every((o) => o.status === 200)) {
      return after.find((_, i) => after.slice(i).every((x) => x.status === 200))!.endedAt;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no recovery within ${timeoutMs} ms`);
}
