import { EntitySchema } from '@mikro-orm/core';

export const EMAIL_TOKEN_PURPOSES = ['verify_email', 'password_reset'] as const;
export const OUTBOX_STATES = ['pending', 'sent', 'failed'] as const;

/** A row of `email_tokens`: a single-use token sent by mail, known by its selector and the hash of its verifier. */
export class EmailTokenRecord {
  selector!: string;
  verifierHash!: string;
  purpose!: (typeof EMAIL_TOKEN_PURPOSES)[number];
  userId!: number;
  email!: string;
  createdAt!: Date;
  expiresAt!: Date;
  spentAt!: Date | null;
}

/** A row of `mail_outbox`: one mail to send, with its delivery state. */
export class MailOutboxRecord {
  id!: number;
  recipient!: string;
  userId!: number | null;
  kind!: string;
  data!: unknown;
  status!: (typeof OUTBOX_STATES)[number];
  attempts!: number;
  createdAt!: Date;
  nextAttemptAt!: Date;
  lockedUntil!: Date | null;
  claimId!: string | null;
  sentAt!: Date | null;
  lastError!: string | null;
}

/**
 * The mappings mirror `Migration20261203000000_mail` and `Migration20261208000000_outbox_user` to
 * the constraint, so MikroORM's schema diff against a migrated database stays empty. The adapters
 * read and write these tables with explicit statements.
 */
export const EmailTokenSchema = new EntitySchema<EmailTokenRecord>({
  class: EmailTokenRecord,
  tableName: 'email_tokens',
  indexes: [
    {
      name: 'email_tokens_user_id_purpose_idx',
      expression:
        'create index "email_tokens_user_id_purpose_idx" on "email_tokens" ("user_id", "purpose") where "spent_at" is null',
    },
  ],
  properties: {
    selector: { type: 'text', primary: true },
    verifierHash: { type: 'text' },
    purpose: { type: 'text', enum: true, items: () => [...EMAIL_TOKEN_PURPOSES] },
    userId: {
      kind: 'm:1',
      entity: 'UserRecord',
      fieldName: 'user_id',
      foreignKeyName: 'email_tokens_user_id_fkey',
      deleteRule: 'cascade',
      updateRule: 'no action',
      cascade: [],
    },
    email: { type: 'string', length: 254 },
    createdAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    expiresAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    spentAt: { type: 'datetime', columnType: 'timestamptz(3)', nullable: true },
  },
});

export const MailOutboxSchema = new EntitySchema<MailOutboxRecord>({
  class: MailOutboxRecord,
  tableName: 'mail_outbox',
  indexes: [
    {
      name: 'mail_outbox_pending_idx',
      expression: `create index "mail_outbox_pending_idx" on "mail_outbox" ("id") where "status" = 'pending'`,
    },
    {
      name: 'mail_outbox_recipient_idx',
      expression: `create index "mail_outbox_recipient_idx" on "mail_outbox" ("recipient", "id") where "status" = 'pending'`,
    },
    {
      name: 'mail_outbox_user_id_idx',
      expression: 'create index "mail_outbox_user_id_idx" on "mail_outbox" ("user_id")',
    },
    {
      name: 'mail_outbox_legacy_recipient_idx',
      expression:
        'create index "mail_outbox_legacy_recipient_idx" on "mail_outbox" ("recipient") where "user_id" is null',
    },
    {
      name: 'mail_outbox_settled_idx',
      expression: `create index "mail_outbox_settled_idx" on "mail_outbox" ("created_at", "id") where "status" <> 'pending'`,
    },
  ],
  properties: {
    id: {
      type: 'integer',
      primary: true,
      autoincrement: true,
      generated: 'by default as identity',
    },
    recipient: { type: 'string', length: 254 },
    userId: {
      kind: 'm:1',
      entity: 'UserRecord',
      fieldName: 'user_id',
      nullable: true,
      foreignKeyName: 'mail_outbox_user_id_fkey',
      deleteRule: 'cascade',
      updateRule: 'no action',
      cascade: [],
    },
    kind: { type: 'text' },
    data: { type: 'json', columnType: 'jsonb' },
    status: { type: 'text', enum: true, items: () => [...OUTBOX_STATES] },
    attempts: { type: 'integer', default: 0 },
    createdAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    nextAttemptAt: { type: 'datetime', columnType: 'timestamptz(3)' },
    lockedUntil: { type: 'datetime', columnType: 'timestamptz(3)', nullable: true },
    claimId: { type: 'uuid', nullable: true },
    sentAt: { type: 'datetime', columnType: 'timestamptz(3)', nullable: true },
    lastError: { type: 'string', length: 500, nullable: true },
  },
});
