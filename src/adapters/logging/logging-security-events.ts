import type { Logger } from '../../application/ports/logger.js';
import type { SecurityEvent, SecurityEvents } from '../../application/ports/security-events.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';

/**
 * Each security event as a log line of its own (`event` is its name) and in the counters of
 * `/metrics`. Only ids, the address and reasons are written: the events carry nothing secret.
 */
export class LoggingSecurityEvents implements SecurityEvents {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: ServiceMetrics,
  ) {}

  record(event: SecurityEvent): void {
    switch (event.type) {
      case 'sign_in_succeeded':
        this.metrics.signIn('success');
        return;
      case 'auth_failed':
        if (event.via === 'sign_in') this.metrics.signIn('failure');
        this.logger.warn('authentication failed', {
          event: 'auth_failed',
          via: event.via,
          reason: event.reason,
          user_id: event.userId,
          ip: event.ip,
        });
        return;
      case 'auth_locked':
        if (event.via === 'sign_in') this.metrics.signIn('locked');
        this.logger.warn('authentication locked', {
          event: 'auth_locked',
          via: event.via,
          user_id: event.userId,
          ip: event.ip,
          retry_after_s: event.retryAfterS,
        });
        return;
      case 'refresh_reuse_detected':
        this.metrics.refreshReuseDetected();
        this.logger.warn('refresh token reused', {
          event: 'refresh_reuse_detected',
          user_id: event.userId,
          session_id: event.sessionId,
        });
        return;
      case 'password_changed':
        this.logger.info('password changed', { event: 'password_changed', user_id: event.userId });
        return;
      case 'password_reset':
        this.logger.info('password reset', { event: 'password_reset', user_id: event.userId });
        return;
      case 'session_revoked':
        this.logger.info('session revoked', {
          event: 'session_revoked',
          user_id: event.userId,
          session_id: event.sessionId,
          sessions: event.sessions,
          reason: event.reason,
          ...(event.by === undefined ? {} : { by: event.by }),
        });
        return;
    }
  }
}
