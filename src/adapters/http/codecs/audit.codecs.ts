import type { AuditEvent, AuditFilter } from '../../../application/ports/audit-log.js';
import { AUDIT_ACTIONS, SUBJECT_TYPES } from '../../../domain/shared/domain-event.js';
import {
  enumParam,
  intParam,
  MAX_ID,
  PAGE_DEFAULTS,
  PAGE_SPECS,
  params,
  SLICE_DEFAULTS,
  SLICE_SPECS,
  textParam,
  type ParamSpec,
} from '../kit/codecs/params.js';

/**
 * An ISO 8601 date (`2026-12-05`, midnight UTC) or date-time with its offset
 * (`2026-12-05T10:00:00Z`, `...+01:00`); a date-time without an offset would be read in the
 * server's zone, so it is refused, as is a day the calendar does not have.
 */
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

function instantParam(name: string, description: string): ParamSpec<Date> {
  return {
    schema: { type: 'string', format: 'date-time', maxLength: 40 },
    description,
    parse(raw) {
      const invalid = {
        error: `Invalid ${name}: ${raw.slice(0, 40)}. Expected an ISO 8601 date or date-time with an offset`,
      };
      const match = ISO_INSTANT.exec(raw);
      if (match === null) return invalid;
      const value = new Date(raw.length === 10 ? `${raw}T00:00:00Z` : raw);
      if (Number.isNaN(value.getTime())) return invalid;
      // 2026-02-31 parses as 2026-03-03: the day must be the one written.
      const [, year, month, day] = match;
      const probe = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
      if (
        probe.getUTCFullYear() !== Number(year) ||
        probe.getUTCMonth() !== Number(month) - 1 ||
        probe.getUTCDate() !== Number(day)
      )
        return invalid;
      return { value };
    },
  };
}

const FILTER_SPECS = {
  actor_id: intParam(
    1,
    MAX_ID,
    (raw) => `Invalid actor_id: ${raw.slice(0, 40)}. Expected a positive integer`,
    'Only events by this user',
  ),
  subject_type: enumParam('subject_type', SUBJECT_TYPES, 'Only events about this kind of subject'),
  subject_id: textParam(
    'subject_id',
    64,
    'Only events about this subject (a user or order id, a session id)',
  ),
  action: enumParam('action', AUDIT_ACTIONS, 'Only events of this action'),
  since: instantParam('since', 'Only events at or after this instant (ISO 8601)'),
  until: instantParam('until', 'Only events before this instant (ISO 8601)'),
};

export const ListAuditEventsQueryCodec = params(
  'ListAuditEventsQuery',
  { ...PAGE_SPECS, ...FILTER_SPECS },
  PAGE_DEFAULTS,
);
export const ListAuditEventsSliceQueryCodec = params(
  'ListAuditEventsSliceQuery',
  { ...SLICE_SPECS, ...FILTER_SPECS },
  SLICE_DEFAULTS,
);

type FilterQuery = {
  actor_id?: number | undefined;
  subject_type?: AuditFilter['subjectType'] | undefined;
  subject_id?: string | undefined;
  action?: AuditFilter['action'] | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
};

export function auditFilter(query: FilterQuery): AuditFilter {
  return {
    ...(query.actor_id === undefined ? {} : { actorId: query.actor_id }),
    ...(query.subject_type === undefined ? {} : { subjectType: query.subject_type }),
    ...(query.subject_id === undefined ? {} : { subjectId: query.subject_id }),
    ...(query.action === undefined ? {} : { action: query.action }),
    ...(query.since === undefined ? {} : { since: query.since }),
    ...(query.until === undefined ? {} : { until: query.until }),
  };
}

/** What a cursor is bound to: the filters, as given. */
export const auditFingerprintOf = (query: FilterQuery): Record<string, unknown> => ({
  actor_id: query.actor_id,
  subject_type: query.subject_type,
  subject_id: query.subject_id,
  action: query.action,
  since: query.since?.toISOString(),
  until: query.until?.toISOString(),
});

/** Ids of users and orders are numbers in the API, as everywhere else; a session's is its UUID. */
const presentSubjectId = (event: AuditEvent): number | string | null =>
  event.subjectId === null || event.subjectType === 'session'
    ? event.subjectId
    : Number(event.subjectId);

export const presentAuditEvent = (event: AuditEvent) => ({
  id: event.id,
  occurred_at: event.occurredAt.toISOString(),
  action: event.action,
  actor_id: event.actorId,
  subject_type: event.subjectType,
  subject_id: presentSubjectId(event),
  request_id: event.requestId,
  ip: event.ip,
  changes: event.changes,
});

export const AuditEventSchema = {
  type: 'object',
  required: [
    'id',
    'occurred_at',
    'action',
    'actor_id',
    'subject_type',
    'subject_id',
    'request_id',
    'ip',
    'changes',
  ],
  properties: {
    id: {
      type: 'string',
      pattern: '^[0-9]+$',
      maxLength: 20,
      description: 'Increases with each event written',
      examples: ['42'],
    },
    occurred_at: { type: 'string', format: 'date-time', maxLength: 40 },
    action: { type: 'string', enum: [...AUDIT_ACTIONS] },
    actor_id: {
      type: ['integer', 'null'],
      minimum: 1,
      maximum: MAX_ID,
      description: 'Who acted; null when nobody known did (a failed sign-in, a start-up command)',
    },
    subject_type: { type: 'string', enum: [...SUBJECT_TYPES] },
    subject_id: {
      oneOf: [
        { type: 'integer', minimum: 1, maximum: MAX_ID },
        { type: 'string', format: 'uuid', maxLength: 36 },
        { type: 'null' },
      ],
      description:
        'A user or order id; a session id (UUID); null for a sign-in with an unknown login',
    },
    request_id: { type: ['string', 'null'], maxLength: 128 },
    ip: {
      type: ['string', 'null'],
      maxLength: 64,
      description: 'Null once the user concerned has been erased',
    },
    changes: {
      type: ['object', 'null'],
      maxProperties: 20,
      description:
        'The fields that changed. `username`, `full_name`, `role`, `is_active` and `email_verified` carry `from` and `to`; `email` carries them masked (`a***@example.com`); never a password, hash or token. Erasure empties the values of `email`, `username` and `full_name`.',
      additionalProperties: {
        type: 'object',
        maxProperties: 2,
        properties: { from: {}, to: {} },
        additionalProperties: false,
      },
      examples: [{ role: { from: 'user', to: 'moderator' } }],
    },
  },
};
