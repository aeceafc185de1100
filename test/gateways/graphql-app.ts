import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { UseGuards } from '@nestjs/common';
import { Args, GraphQLModule, Mutation, Query, Resolver } from '@nestjs/graphql';
import {
  AuthenticatedGuard,
  CsrfGuard,
  RequireRecentSignIn,
  Session,
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

/** Apollo on the app's HTTP platform (Express, or Fastify through @as-integrations/fastify). */
export const graphQlModule = GraphQLModule.forRoot<ApolloDriverConfig>({
  driver: ApolloDriver,
  typeDefs,
});
