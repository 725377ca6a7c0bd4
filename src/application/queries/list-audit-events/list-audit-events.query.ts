import type { Actor } from '../../../domain/user/role.js';
import type { AuditListCriteria, AuditSliceCriteria } from '../../ports/audit-log.js';

/** Numbered pages with a total, or keyset slices: newest first either way. */
export type AuditListing =
  | ({ readonly mode: 'page' } & AuditListCriteria)
  | ({ readonly mode: 'slice' } & AuditSliceCriteria);

export class ListAuditEventsQuery {
  constructor(
    readonly actor: Actor,
    readonly criteria: AuditListing,
  ) {}
}
