import { Body, Controller, HttpCode, type INestApplication, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import {
  Session,
  SessionLock,
  type SessionModuleOptions,
  SessionService,
  type TypedSession,
} from '../../src/index.js';
import { bootSessionApp } from '../support/boot-session-app.js';

/**
 * Holds handlers open at a named gate: `arrived(name, n)` resolves once n handlers wait there,
 * `open(name)` lets them go. Races are held open by gates, never by sleeps.
 */
export class Gates {
  private readonly waiting = new Map<string, number>();
  private readonly openers = new Map<string, { promise: Promise<void>; open: () => void }>();
  private readonly watchers: (() => void)[] = [];

  private gate(name: string) {
    let entry = this.openers.get(name);
    if (!entry) {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      entry = { promise, open };
      this.openers.set(name, entry);
    }
    return entry;
  }

  /** Called by a handler: waits until the test opens `name`. */
  async pass(name: string): Promise<void> {
    this.waiting.set(name, (this.waiting.get(name) ?? 0) + 1);
    this.watchers.splice(0).forEach((wake) => wake());
    await this.gate(name).promise;
  }

  async arrived(name: string, count: number): Promise<void> {
    while ((this.waiting.get(name) ?? 0) < count) {
      await new Promise<void>((resolve) => this.watchers.push(resolve));
    }
  }

  open(name: string): void {
    this.gate(name).open();
  }
}

export const gates = new Gates();

@Controller('g')
export class GatedController {
  constructor(private readonly sessions: SessionService) {}

  /** Sets the body's keys after waiting at the gate `?gate=` (none: at once). */
  @Post('set')
  @HttpCode(200)
  async set(
    @Req() request: Request,
    @Body() body: { gate?: string; values: Record<string, unknown> },
  ) {
    if (body.gate) await gates.pass(body.gate);
    Object.assign(request.session, body.values);
    return { ok: true };
  }

  /** Appends to `list` under the default lock, after waiting at the gate. */
  @Post('locked-push')
  @HttpCode(200)
  @SessionLock()
  async lockedPush(
    @Session() session: TypedSession,
    @Body() body: { gate?: string; item: string },
  ) {
    if (body.gate) await gates.pass(body.gate);
    session.list = [...((session.list as string[] | undefined) ?? []), body.item];
    return { list: session.list };
  }

  /** Appends to `list` without a lock (default mode), after waiting at the gate. */
  @Post('push')
  @HttpCode(200)
  async push(@Session() session: TypedSession, @Body() body: { gate?: string; item: string }) {
    if (body.gate) await gates.pass(body.gate);
    session.list = [...((session.list as string[] | undefined) ?? []), body.item];
    return { list: session.list };
  }

  @Post('read')
  @HttpCode(200)
  read(@Session() session: TypedSession) {
    return { data: { ...session } };
  }

  @Post('sign-in')
  @HttpCode(200)
  async signIn(@Body() body: { id: string }) {
    await this.sessions.signIn({ id: body.id });
    return { ok: true };
  }

  @Post('sign-out')
  @HttpCode(200)
  async signOut(@Body() body: { keepData?: boolean }) {
    await this.sessions.signOut(undefined, { keepData: body?.keepData });
    return { ok: true };
  }

  @Post('regenerate')
  @HttpCode(200)
  async regenerate(@Body() body: { keepData?: boolean }) {
    await this.sessions.regenerate({ keepData: body.keepData });
    return { ok: true };
  }

  @Post('destroy')
  @HttpCode(200)
  async destroy() {
    await this.sessions.destroy();
    return { ok: true };
  }
}

/** The gated routes, booted by {@link bootSessionApp}. */
export async function createGatedApp(
  options: Partial<SessionModuleOptions> = {},
): Promise<INestApplication> {
  return (await bootSessionApp({ options, controllers: [GatedController] })).app;
}
