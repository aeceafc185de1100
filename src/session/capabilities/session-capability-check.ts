import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { SESSION_LOCK_METADATA, SESSION_OPTIMISTIC_METADATA } from '../session.constants.js';
import { SessionOptionsError } from '../session.errors.js';
import { SESSION_MODULE_OPTIONS } from '../session.module-definition.js';
import type { SessionModuleOptions } from '../session-module-options.js';
import { SessionStore, type SessionStoreCapabilities } from '../stores/session-store.js';
import { missingMessage, storeCapabilityProblems } from './store-capability-problems.js';

/** Route decorators that need a capability of the store. */
const DECORATOR_NEEDS: readonly {
  readonly metadata: string;
  readonly decorator: string;
  readonly needs: keyof SessionStoreCapabilities;
}[] = [
  { metadata: SESSION_LOCK_METADATA, decorator: '@SessionLock()', needs: 'locks' },
  { metadata: SESSION_OPTIMISTIC_METADATA, decorator: '@SessionOptimistic()', needs: 'versions' },
];

/**
 * Refuses at boot, with one {@link SessionOptionsError} naming each option or route and the
 * store, whatever the configured store cannot honour: options (`principalSessions` without a
 * principal index, ...) and routes decorated with `@SessionLock()` or `@SessionOptimistic()`.
 */
@Injectable()
export class SessionCapabilityCheck implements OnModuleInit {
  constructor(
    private readonly store: SessionStore,
    @Inject(SESSION_MODULE_OPTIONS) private readonly raw: Partial<SessionModuleOptions>,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const problems = [
      ...storeCapabilityProblems(this.raw ?? {}, this.store),
      ...this.routeProblems(),
    ];
    if (problems.length > 0) throw SessionOptionsError.invalid(problems);
  }

  private routeProblems(): string[] {
    const { capabilities, storeName } = this.store;
    const missing = DECORATOR_NEEDS.filter(({ needs }) => !capabilities[needs]);
    if (missing.length === 0) return [];
    const problems: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type?.prototype) continue;
      const prototype = type.prototype as Record<string, (...args: never[]) => unknown>;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        for (const { metadata, decorator, needs } of missing) {
          const handler = prototype[method]!;
          if (this.reflector.getAllAndOverride(metadata, [handler, type]) === undefined) continue;
          problems.push(missingMessage(`${decorator} on ${type.name}.${method}`, needs, storeName));
        }
      }
    }
    return problems;
  }
}
