import type { INestApplication } from '@nestjs/common';
import { createManagementApp, type RecordedEvent } from './management-test-app.js';
import { describePrincipalSessionScenarios } from './principal-sessions-scenarios.js';

describe('principal sessions on the memory store (one instance)', () => {
  let app: INestApplication;
  let events: RecordedEvent[];

  beforeAll(async () => {
    ({ app, events } = await createManagementApp());
  });
  afterAll(() => app.close());

  describePrincipalSessionScenarios({ a: () => app, b: () => app, eventsOfA: () => events });
});
