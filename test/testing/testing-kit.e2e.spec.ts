// The README's "Testing kit" example, run as written (imports by package name, as users do).
import { Controller, Get, type INestApplication, Module, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  AuthenticatedGuard,
  MemorySessionStore,
  Session,
  type TypedSession,
} from 'nestjs-distributed-session';
import {
  describeSessionStoreConformance,
  readSession,
  seedSession,
  SessionTestingModule,
  signInAs,
} from 'nestjs-distributed-session/testing';

@Controller('cart')
class CartController {
  @Get()
  @UseGuards(AuthenticatedGuard)
  cart(@Session() session: TypedSession) {
    return { owner: session.principal?.id, items: session.items ?? [] };
  }
}

@Module({ imports: [SessionTestingModule.forRoot()], controllers: [CartController] })
class CartTestModule {}

describe('cart (with the testing kit)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [CartTestModule] }).compile();
    app = await moduleRef.createNestApplication().init();
  });
  afterAll(() => app.close());

  it('refuses a visitor who is not signed in', async () => {
    await request(app.getHttpServer()).get('/cart').expect(401);
  });

  it('serves a signed-in principal the items seeded in the session', async () => {
    const agent = request.agent(app.getHttpServer());
    const signedIn = await signInAs(agent, { id: 'u-1' }, { items: ['book'] });
    await seedSession(agent, { items: ['book', 'pen'] });

    await agent.get('/cart').expect(200, { owner: 'u-1', items: ['book', 'pen'] });
    const session = await readSession(agent);
    expect(session).toEqual({
      id: signedIn.id,
      principal: { id: 'u-1' },
      data: { items: ['book', 'pen'] },
    });
  });
});

// Your own store here; the library's MemorySessionStore stands in for it.
describeSessionStoreConformance('my store', () => new MemorySessionStore());
