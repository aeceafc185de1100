import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CookieJar } from '../support/cookie-jar.js';
import type { RecordedEvent } from './management-test-app.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 ' +
  '(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** One browser: its cookies and its User-Agent. */
export class Client {
  readonly jar = new CookieJar();
  constructor(readonly userAgent = FIREFOX) {}

  async signIn(app: INestApplication, id: string, expected = 200): Promise<string> {
    const response = await request(app.getHttpServer())
      .post('/m/sign-in')
      .set('user-agent', this.userAgent)
      .set('cookie', this.jar.header)
      .send({ id })
      .expect(expected);
    this.jar.take(response);
    return response.body.id as string;
  }

  async me(app: INestApplication): Promise<{ id: string; principal: { id: string } | null }> {
    const response = await request(app.getHttpServer())
      .get('/m/me')
      .set('cookie', this.jar.header)
      .expect(200);
    this.jar.take(response);
    return response.body;
  }

  async list(app: INestApplication): Promise<SessionRow[]> {
    const response = await request(app.getHttpServer())
      .get('/m/sessions')
      .set('cookie', this.jar.header)
      .expect(200);
    return response.body as SessionRow[];
  }

  revoke(app: INestApplication, handle: string) {
    return request(app.getHttpServer())
      .delete(`/m/sessions/${encodeURIComponent(handle)}`)
      .set('cookie', this.jar.header);
  }

  async revokeOthers(app: INestApplication): Promise<number> {
    const response = await request(app.getHttpServer())
      .post('/m/sessions/revoke-others')
      .set('cookie', this.jar.header)
      .expect(200);
    return response.body.revoked as number;
  }
}

export interface SessionRow {
  handle: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent?: string;
  clientIp?: string;
}

let counter = 0;
/** A principal id no other case uses. */
export function freshUser(): string {
  counter += 1;
  return `user-${process.pid}-${Date.now()}-${counter}`;
}

/** Apps of one deployment (sharing a store), and the events the first one emitted. */
export interface ScenarioApps {
  a: () => INestApplication;
  b: () => INestApplication;
  eventsOfA: () => RecordedEvent[];
}

/**
 * The listing and revocation cases, run against apps that share one store (two instances on
 * Redis; the same instance twice on the memory store).
 */
export function describePrincipalSessionScenarios(apps: ScenarioApps): void {
  it('lists the sessions of a user signed in on two clients, each with its metadata', async () => {
    const user = freshUser();
    const laptop = new Client(FIREFOX);
    const phone = new Client(IPHONE);
    const before = Date.now();
    const laptopId = await laptop.signIn(apps.a(), user);
    const phoneId = await phone.signIn(apps.b(), user);

    const rows = await laptop.list(apps.b());
    expect(rows.map((r) => r.handle).sort()).toEqual([laptopId, phoneId].sort());
    const mine = rows.find((r) => r.handle === laptopId)!;
    const other = rows.find((r) => r.handle === phoneId)!;
    expect(mine.current).toBe(true);
    expect(other.current).toBe(false);
    expect(mine.userAgent).toBe('Firefox 128 on Linux');
    expect(other.userAgent).toBe('Safari 17 on iOS');
    for (const row of rows) {
      expect(Date.parse(row.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(row.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(row.createdAt));
      expect(Date.parse(row.expiresAt)).toBeGreaterThan(Date.now());
      expect(row).not.toHaveProperty('clientIp');
    }
    // The handle is the public id, never the token in the cookie.
    expect(laptop.jar.header).not.toContain(mine.handle);
  });

  it('revokes the other client on every instance at once; the handle works once', async () => {
    const user = freshUser();
    const laptop = new Client();
    const phone = new Client(IPHONE);
    await laptop.signIn(apps.a(), user);
    const phoneId = await phone.signIn(apps.a(), user);
    expect((await phone.me(apps.b())).principal).toEqual({ id: user });

    await laptop.revoke(apps.a(), phoneId).expect(204);

    // The very next request of the phone, on either instance, is anonymous.
    expect((await phone.me(apps.b())).principal).toBeNull();
    expect((await phone.me(apps.a())).principal).toBeNull();
    expect((await laptop.list(apps.b())).map((r) => r.handle)).not.toContain(phoneId);
    await laptop.revoke(apps.b(), phoneId).expect(404);
    expect(
      apps.eventsOfA().some((e) => e.name === 'revoked' && e.event.sessionId === phoneId),
    ).toBe(true);
  });

  it("refuses to revoke another user's session or a malformed handle (404)", async () => {
    const alice = new Client();
    const mallory = new Client();
    const aliceId = await alice.signIn(apps.a(), freshUser());
    await mallory.signIn(apps.a(), freshUser());
    await mallory.revoke(apps.b(), aliceId).expect(404);
    await mallory.revoke(apps.b(), 'not-a-handle').expect(404);
    await new Client().revoke(apps.b(), aliceId).expect(404); // nobody signed in
    expect((await alice.me(apps.a())).principal).not.toBeNull();
  });

  it('"sign out everywhere else" keeps only the current session', async () => {
    const user = freshUser();
    const clients = [new Client(), new Client(IPHONE), new Client(), new Client()];
    const ids: string[] = [];
    for (const [i, client] of clients.entries()) {
      ids.push(await client.signIn(i % 2 ? apps.b() : apps.a(), user));
    }
    const stranger = new Client();
    await stranger.signIn(apps.a(), freshUser());

    expect(await clients[1]!.revokeOthers(apps.a())).toBe(3);

    const rows = await clients[1]!.list(apps.b());
    expect(rows.map((r) => r.handle)).toEqual([ids[1]]);
    expect(rows[0]!.current).toBe(true);
    for (const i of [0, 2, 3]) expect((await clients[i]!.me(apps.b())).principal).toBeNull();
    expect((await clients[1]!.me(apps.a())).principal).toEqual({ id: user });
    expect((await stranger.me(apps.b())).principal).not.toBeNull();
  });

  it('drops a session from the list at sign-out and at destroy', async () => {
    const user = freshUser();
    const one = new Client();
    const two = new Client();
    const three = new Client();
    await one.signIn(apps.a(), user);
    const twoId = await two.signIn(apps.a(), user);
    const threeId = await three.signIn(apps.b(), user);
    await request(apps.a().getHttpServer())
      .post('/m/sign-out')
      .set('cookie', two.jar.header)
      .expect(200);
    await request(apps.b().getHttpServer())
      .post('/m/destroy')
      .set('cookie', three.jar.header)
      .expect(204);
    const handles = (await one.list(apps.a())).map((r) => r.handle);
    expect(handles).toHaveLength(1);
    expect(handles).not.toContain(twoId);
    expect(handles).not.toContain(threeId);
  });

  it('lists nothing for an anonymous session', async () => {
    expect(await new Client().list(apps.a())).toEqual([]);
  });
}
