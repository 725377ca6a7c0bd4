import { token } from './injection.js';

/** Why a session ended. */
export type SessionEndReason =
  | 'logout'
  | 'refresh_reuse'
  | 'password_changed'
  | 'password_reset'
  | 'deactivated'
  | 'revoked';

/**
 * What happened to someone's credentials, said by the use case where it happened. Events name
 * accounts and sessions by id only: never a password, a hash, a token, nor the login as typed
 * (people type passwords into the login field).
 */
export type SecurityEvent =
  | { readonly type: 'sign_in_succeeded'; readonly userId: number; readonly ip: string }
  /** A wrong password, at sign-in or as the current password of a change; `userId` null when the login names no account. */
  | {
      readonly type: 'auth_failed';
      readonly via: AuthVia;
      readonly reason: 'bad_credentials' | 'inactive';
      readonly userId: number | null;
      readonly ip: string;
    }
  /** Refused unchecked: the lockout holds. */
  | {
      readonly type: 'auth_locked';
      readonly via: AuthVia;
      readonly userId: number | null;
      readonly ip: string;
      readonly retryAfterS: number;
    }
  | { readonly type: 'refresh_reuse_detected'; readonly userId: number; readonly sessionId: string }
  | { readonly type: 'password_changed'; readonly userId: number }
  /** For the password-reset use case: the password was set from a reset token. */
  | { readonly type: 'password_reset'; readonly userId: number }
  /** `sessions` ended at once; `sessionId` when one was named (a logout, a reuse). */
  | {
      readonly type: 'session_revoked';
      readonly userId: number | null;
      readonly sessionId: string | null;
      readonly sessions: number;
      readonly reason: SessionEndReason;
      /** Who ended them, when it was a signed-in caller. */
      readonly by?: number;
    };

/** Where a password was checked: sign-in, the current password of a change, or a step confirmed by password (deactivation, erasure). */
export type AuthVia = 'sign_in' | 'password_change' | 'password_confirmation';

/** Where security events go: their own log lines, and the counters of `/metrics`. */
export interface SecurityEvents {
  record(event: SecurityEvent): void;
}

export const SECURITY_EVENTS = token<SecurityEvents>('SecurityEvents');
