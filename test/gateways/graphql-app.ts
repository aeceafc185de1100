import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { UseGuards } from '@nestjs/common';
import { Args, GraphQLModule, Mutation, Query, Resolver } from '@nestjs/graphql';
import {
  AuthenticatedGuard,
  CsrfGuard,
  RequireRecentSignIn,
  Session,
  SessionLock,
  SessionOptimistic,
  SessionService,
  SkipCsrf,
  type TypedSession,
} from '../../src/index.js';

const typeDefs = /* GraphQL */ `
  type Query {
    whoami: String
    count: Int
    csrf: String!
    recent: Int
  }
  type Mutation {
    signIn(id: String!): Boolean!
    bump: Int!
    lockedBump: Int!
    optimisticBump: Int!
  }
`;

type CountedSession = TypedSession & { count?: number };

/** A resolver that reads and changes the request's session. */
@Resolver()
export class SessionResolver {
  constructor(private readonly sessions: SessionService) {}

  @Query('whoami')
  whoami(@Session() session: CountedSession): string | null {
    return session.principal?.id ?? null;
  }

  @Query('count')
  @UseGuards(AuthenticatedGuard)
  count(@Session() session: CountedSession): number | null {
    return session.count ?? null;
  }

  @Query('csrf')
  csrf(): string {
    return this.sessions.csrfToken();
  }

  @Query('recent')
  @RequireRecentSignIn(60_000)
  recent(@Session() session: CountedSession): number | null {
    return session.count ?? null;
  }

  @Mutation('signIn')
  @UseGuards(CsrfGuard)
  @SkipCsrf()
  async signIn(@Args('id') id: string): Promise<boolean> {
    await this.sessions.signIn({ id });
    return true;
  }

  @Mutation('bump')
  @UseGuards(AuthenticatedGuard, CsrfGuard)
  bump(): number {
    // SessionService finds the resolver's session, as in a controller.
    const session: CountedSession = this.sessions.current();
    session.count = (session.count ?? 0) + 1;
    return session.count;
  }
}

/** A read-modify-write with a window in which another server's request could get in. */
async function bumpSlowly(session: CountedSession): Promise<number> {
  const next = (session.count ?? 0) + 1;
  await new Promise((resolve) => setTimeout(resolve, 10));
  session.count = next;
  return next;
}

let waiting: (() => void)[] = [];

/** Resolves once a second call is waiting too (or after 5 s, so a lone call never hangs). */
function pairedUp(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 5000);
    waiting.push(() => {
      clearTimeout(timer);
      resolve();
    });
    if (waiting.length < 2) return;
    for (const wake of waiting) wake();
    waiting = [];
  });
}

/** Locked and optimistic mutations: the session's lock and versions work in resolvers too. */
@Resolver()
export class LockedResolver {
  @Mutation('lockedBump')
  @SessionLock()
  lockedBump(@Session() session: CountedSession): Promise<number> {
    return bumpSlowly(session);
  }

  @Mutation('optimisticBump')
  @SessionOptimistic()
  async optimisticBump(@Session() session: CountedSession): Promise<number> {
    // Both bumps of a pair have loaded the session before either changes it.
    await pairedUp();
    return bumpSlowly(session);
  }
}

/** Apollo on the app's HTTP platform (Express, or Fastify through @as-integrations/fastify). */
export const graphQlModule = GraphQLModule.forRoot<ApolloDriverConfig>({
  driver: ApolloDriver,
  typeDefs,
});
