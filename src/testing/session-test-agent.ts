import type { SessionPrincipal } from '../index.js';
import { SESSION_TESTING_PATH, type SessionTestingSnapshot } from './session-testing.controller.js';

/** The part of a supertest request the helpers use; `request.agent(server)` fits. */
export interface SessionTestRequest extends PromiseLike<{ status: number; body: unknown }> {
  send(body: object): this;
}

/** A supertest agent (`request.agent(app.getHttpServer())`): it keeps the cookie it is given. */
export interface SessionTestAgent {
  get(url: string): SessionTestRequest;
  put(url: string): SessionTestRequest;
  post(url: string): SessionTestRequest;
}

/** Where the testing routes are: set `prefix` when the app calls `setGlobalPrefix`. */
export interface SessionTestAgentOptions {
  readonly prefix?: string;
}

function url(options: SessionTestAgentOptions, tail = ''): string {
  const prefix = (options.prefix ?? '').replace(/^\/*|\/*$/g, '');
  return `/${prefix ? `${prefix}/` : ''}${SESSION_TESTING_PATH}${tail}`;
}

async function expectOk(
  request: SessionTestRequest,
  what: string,
): Promise<SessionTestingSnapshot> {
  const response = await request;
  if (response.status !== 200) {
    throw new Error(
      `${what} answered ${response.status} (is SessionTestingModule imported?): ` +
        JSON.stringify(response.body),
    );
  }
  return response.body as SessionTestingSnapshot;
}

/** Signs the agent in as `principal` through the real `signIn` (a new token), with `data` set. */
export function signInAs(
  agent: SessionTestAgent,
  principal: SessionPrincipal,
  data: Record<string, unknown> = {},
  options: SessionTestAgentOptions = {},
): Promise<SessionTestingSnapshot> {
  return expectOk(agent.post(url(options, '/sign-in')).send({ principal, data }), 'sign-in');
}

/** The agent's session as the engine loads it (a new, empty one if the agent has none). */
export function readSession(
  agent: SessionTestAgent,
  options: SessionTestAgentOptions = {},
): Promise<SessionTestingSnapshot> {
  return expectOk(agent.get(url(options)), 'read session');
}

/** Sets `data` in the agent's session (creating one if needed) and commits it. */
export function seedSession(
  agent: SessionTestAgent,
  data: Record<string, unknown>,
  options: SessionTestAgentOptions = {},
): Promise<SessionTestingSnapshot> {
  return expectOk(agent.put(url(options)).send(data), 'seed session');
}
