import { Injectable, type INestApplication } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import request from 'supertest';
import type { SessionEventMap } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { bootSessionApp } from '../support/boot-session-app.js';
import { SessionTestController } from '../support/test-app.js';

const redis = useStandalone();

/** What `@OnEvent` listeners of the app received, in order. */
@Injectable()
class SessionEventLog {
  readonly received: { name: string; sessionId: string; principalId?: string }[] = [];

  @OnEvent('session.created')
  created(event: SessionEventMap['created']): void {
    this.received.push({ name: 'created', sessionId: event.sessionId });
  }

  @OnEvent('session.signed-in')
  signedIn(event: SessionEventMap['signed-in']): void {
    const { sessionId, principalId } = event;
    this.received.push({ name: 'signed-in', sessionId, principalId });
  }

  @OnEvent('session.destroyed')
  destroyed(event: SessionEventMap['destroyed']): void {
    this.received.push({ name: 'destroyed', sessionId: event.sessionId });
  }
}

describe('@nestjs/event-emitter bridge on real Redis', () => {
  let app: INestApplication;
  let log: SessionEventLog;

  beforeAll(async () => {
    ({ app } = await bootSessionApp({
      options: { redis: redis().url },
      imports: [EventEmitterModule.forRoot()],
      controllers: [SessionTestController],
      providers: [SessionEventLog],
    }));
    log = app.get(SessionEventLog);
  });
  afterAll(() => app.close());

  it('delivers created, signed-in and destroyed to @OnEvent listeners as session.<name>', async () => {
    const jar = new CookieJar();
    const server = app.getHttpServer();
    const created = await request(server).put('/t/set').send({ a: 1 }).expect(200);
    jar.take(created);
    const read = await request(server).get('/t/read').set('Cookie', jar.header).expect(200);
    const firstId = read.body.id as string;

    const signedIn = await request(server)
      .post('/t/sign-in')
      .set('Cookie', jar.header)
      .send({ id: 'ada' })
      .expect(201);
    jar.take(signedIn);
    const afterSignIn = await request(server).get('/t/read').set('Cookie', jar.header).expect(200);
    const signedInId = afterSignIn.body.id as string;
    expect(signedInId).not.toBe(firstId); // sign-in regenerates

    await request(server).post('/t/destroy').set('Cookie', jar.header).expect(204);

    expect(log.received).toEqual([
      { name: 'created', sessionId: firstId },
      { name: 'signed-in', sessionId: signedInId, principalId: 'ada' },
      { name: 'destroyed', sessionId: signedInId },
    ]);
  });
});
