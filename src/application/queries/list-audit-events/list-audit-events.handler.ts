import { inject, injectable } from 'tsyringe';
import { requireRole } from '../../../domain/user/user-policy.js';
import type { QueryHandler } from '../../bus.js';
import {
  AUDIT_LOG,
  type AuditEvent,
  type AuditLog,
  type AuditPage,
} from '../../ports/audit-log.js';
import type { Slice } from '../../ports/views.js';
import type { ListAuditEventsQuery } from './list-audit-events.query.js';

export type AuditList =
  | ({ readonly mode: 'page' } & AuditPage)
  | ({ readonly mode: 'slice' } & Slice<AuditEvent>);

/** Admins read the audit log. */
@injectable()
export class ListAuditEventsHandler implements QueryHandler<ListAuditEventsQuery, AuditList> {
  constructor(@inject(AUDIT_LOG) private readonly log: AuditLog) {}

  async execute({ actor, criteria }: ListAuditEventsQuery): Promise<AuditList> {
    requireRole(actor, 'admin');
    if (criteria.mode === 'page') return { mode: 'page', ...(await this.log.list(criteria)) };
    return { mode: 'slice', ...(await this.log.listAfter(criteria)) };
  }
}
