import { auditPosition, AUDIT_EXACT_COUNT_LIMIT } from '../../../application/ports/audit-log.js';
import { ListAuditEventsHandler } from '../../../application/queries/list-audit-events/list-audit-events.handler.js';
import { ListAuditEventsQuery } from '../../../application/queries/list-audit-events/list-audit-events.query.js';
import {
  AuditEventSchema,
  ListAuditEventsQueryCodec,
  ListAuditEventsSliceQueryCodec,
  auditFilter,
  auditFingerprintOf,
  presentAuditEvent,
} from '../codecs/audit.codecs.js';
import { CursorCodec } from '../kit/cursor.js';
import { pageReply, pageSchema, sliceReply, sliceSchema } from '../pagination.js';
import { type AnyRouteSpec, defineRoute } from '../kit/route.js';

const FILTERS =
  'Admins only. Newest first. Filters `actor_id`, `subject_type`, `subject_id`, `action`, `since` (inclusive) and `until` (exclusive), the last two ISO 8601 dates or date-times with an offset. Events are never changed or deleted through the API; those older than AUDIT_RETENTION_DAYS are pruned.';

const base = pageSchema(AuditEventSchema);
const AuditPageSchema = {
  ...base,
  properties: {
    ...base.properties,
    total: {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: `How many events match: counted exactly up to ${AUDIT_EXACT_COUNT_LIMIT}, estimated past that`,
    },
    total_pages: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  },
};

export const auditRoutes: readonly AnyRouteSpec[] = [
  defineRoute({
    operationId: 'listAuditEvents',
    method: 'GET',
    path: '/audit-events',
    tag: 'Audit',
    summary: 'List audit events',
    description: `${FILTERS} Version 1 answers numbered pages; for deep pages, use version 2.`,
    auth: 'required',
    roles: ['admin'],
    query: ListAuditEventsQueryCodec,
    success: {
      status: 200,
      description: 'A page of audit events',
      schema: AuditPageSchema,
      name: 'AuditEventPage',
      headers: ['Link'],
    },
    async handle({ actor, query, queries, ctx }) {
      const listing = {
        mode: 'page' as const,
        page: query.page,
        pageSize: query.page_size,
        filter: auditFilter(query),
      };
      const page = await queries.execute(
        ListAuditEventsHandler,
        new ListAuditEventsQuery(actor, listing),
      );
      if (page.mode !== 'page') throw new Error('expected a numbered page');
      return pageReply(ctx, listing, page, presentAuditEvent);
    },
    versions: {
      2: {
        description: `${FILTERS} Version 2 answers keyset pages: pass \`next_cursor\` back as \`cursor\`.`,
        query: ListAuditEventsSliceQueryCodec,
        success: {
          status: 200,
          description: 'A slice of audit events',
          schema: sliceSchema(AuditEventSchema),
          name: 'AuditEventSlice',
          headers: ['Link'],
        },
        async handle({ actor, query, queries, ctx, cursors }) {
          const fingerprint = CursorCodec.fingerprint(auditFingerprintOf(query));
          const after =
            query.cursor === undefined ? undefined : cursors.decode(query.cursor, fingerprint);
          const listing = {
            mode: 'slice' as const,
            limit: query.limit,
            filter: auditFilter(query),
            ...(after === undefined ? {} : { after }),
          };
          const slice = await queries.execute(
            ListAuditEventsHandler,
            new ListAuditEventsQuery(actor, listing),
          );
          if (slice.mode !== 'slice') throw new Error('expected a slice');
          return sliceReply(ctx, slice, presentAuditEvent, (last) =>
            cursors.encode(auditPosition(last), fingerprint),
          );
        },
      },
    },
  }),
];
