import { Injectable, Logger } from '@nestjs/common';

/** What every event carries: the session's public id (`tag.hash`), never its token. */
export interface SessionEventBase {
  readonly sessionId: string;
  readonly at: Date;
}

/** Every event of the module and its payload. */
export interface SessionEventMap {
  created: SessionEventBase;
  regenerated: SessionEventBase & { readonly previousSessionId: string };
  'signed-in': SessionEventBase & { readonly principalId: string };
  'signed-out': SessionEventBase & { readonly principalId?: string };
  destroyed: SessionEventBase;
  revoked: SessionEventBase & { readonly principalId?: string };
  expired: SessionEventBase;
  'hijack-suspected': SessionEventBase & { readonly reason: string; readonly policy: string };
  conflict: SessionEventBase & { readonly kind: 'version' | 'fence' };
  'store-error': { readonly at: Date; readonly operation: string; readonly error: Error };
  'unknown-token': {
    readonly at: Date;
    readonly reason: 'bad-signature' | 'malformed' | 'unknown';
  };
}

export type SessionEventName = keyof SessionEventMap;
export type SessionEventListener<K extends SessionEventName> = (event: SessionEventMap[K]) => void;
/** A listener of every event: the name, then its payload. */
export type SessionAnyListener = <K extends SessionEventName>(
  name: K,
  event: SessionEventMap[K],
) => void;

/**
 * The one typed emitter of the module's events. A listener that throws is logged and never
 * breaks the request that emitted.
 *
 * @example
 * constructor(events: SessionEvents) {
 *   events.on('hijack-suspected', (e) => this.alerts.raise(e.sessionId, e.reason));
 * }
 */
@Injectable()
export class SessionEvents {
  private readonly listeners = new Map<SessionEventName, Set<(event: never) => void>>();
  private readonly anyListeners = new Set<SessionAnyListener>();
  private readonly logger = new Logger('SessionEvents');

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends SessionEventName>(name: K, listener: SessionEventListener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  /** Subscribes to every event (metrics, forwarding); returns the function that unsubscribes. */
  onAny(listener: SessionAnyListener): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  emit<K extends SessionEventName>(name: K, event: SessionEventMap[K]): void {
    for (const listener of this.anyListeners) {
      try {
        listener(name, event);
      } catch (error) {
        this.logger.error(`A listener of every event threw on '${name}': ${String(error)}`);
      }
    }
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as SessionEventListener<K>)(event);
      } catch (error) {
        this.logger.error(`A '${name}' listener threw: ${String(error)}`);
      }
    }
  }
}
