import {
  type CommitReport,
  type CommitResult,
  type DestroyOptions,
  type DestroyResult,
  type SessionChange,
  type SessionKey,
  SessionStore,
} from './session-store.js';

/**
 * A store with grace pointers: its commit and destroy say where they landed, so it implements
 * `commitReporting` and `destroyReporting`, and `commit` and `destroy` are those, unreported.
 */
export abstract class ReportingSessionStore extends SessionStore {
  abstract override commitReporting(key: SessionKey, change: SessionChange): Promise<CommitReport>;

  abstract override destroyReporting(
    key: SessionKey,
    options?: DestroyOptions,
  ): Promise<DestroyResult>;

  async commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    return (await this.commitReporting(key, change)).result;
  }

  async destroy(key: SessionKey, options?: DestroyOptions): Promise<boolean> {
    return (await this.destroyReporting(key, options)).existed;
  }
}
