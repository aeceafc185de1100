import { Module, type INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { SessionModule } from '../../src/index.js';
import { TEST_SECRET } from '../support/boot-session-app.js';
import { SessionTestController } from '../support/test-app.js';

async function boot(): Promise<INestApplication> {
  @Module({
    imports: [SessionModule.forRoot({ secrets: [TEST_SECRET], cookie: { secure: false } })],
    controllers: [SessionTestController],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    logger: ['error'],
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('Fastify smoke', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await boot();
  });
  afterAll(async () => {
    await app.close();
  });

  it('keeps a session across requests', async () => {
    const agent = request.agent(app.getHttpServer());
    const first = await agent.put('/t/set').send({ a: 1 });
    expect(first.status).toBe(200);
    expect(first.headers['set-cookie']).toHaveLength(1);
    const read = await agent.get('/t/read');
    expect(read.body.data).toEqual({ a: 1 });
    const inc = await agent.post('/t/locked-increment');
    expect(inc.body).toEqual({ value: 1 });
    const big = await agent.post('/t/bigint');
    expect(big.status).toBe(500);
  });
});
