import { ROLES } from '../../../domain/user/role.js';
import {
  EMAIL_MAX,
  EMAIL_PATTERN,
  FULL_NAME_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
  USERNAME_MAX,
  USERNAME_MIN,
  emailProblem,
  fullNameProblem,
  passwordProblem,
  usernameProblem,
} from '../../../domain/user/user-rules.js';
import { USER_SORT_FIELDS } from '../../../application/ports/user-read-model.js';
import type { UserView } from '../../../application/ports/views.js';
import { boolean, nullable, object, oneOf, text } from '../kit/codecs/codec.js';
import {
  MAX_ID,
  PAGE_DEFAULTS,
  PAGE_SPECS,
  SLICE_DEFAULTS,
  SLICE_SPECS,
  boolParam,
  enumParam,
  idParam,
  params,
  textParam,
} from '../kit/codecs/params.js';

export const Email = text(
  'Email',
  // The pattern is the rule; `format: email` (RFC 5321) would claim a stricter one than the service keeps.
  {
    maxLength: EMAIL_MAX,
    pattern: EMAIL_PATTERN.source,
    examples: ['ada@example.com'],
    description: 'Stored lower-cased; unique.',
  },
  emailProblem,
);
export const Username = text(
  'Username',
  {
    minLength: USERNAME_MIN,
    maxLength: USERNAME_MAX,
    pattern: '^[A-Za-z0-9_]+$',
    examples: ['ada'],
    description: 'Letters, digits and underscores; unique regardless of case.',
  },
  usernameProblem,
);
export const Password = text(
  'Password',
  {
    minLength: PASSWORD_MIN,
    maxLength: PASSWORD_MAX,
    format: 'password',
    writeOnly: true,
    examples: ['Secr3tPassw0rd'],
    description: 'At least one upper-case letter, one lower-case letter and one digit.',
  },
  passwordProblem,
);
export const FullName = nullable(
  text('FullName', { maxLength: FULL_NAME_MAX, examples: ['Ada Lovelace'] }, (v) =>
    fullNameProblem(v),
  ),
);
export const RoleCodec = oneOf('Role', ROLES);

export const RegisterUserBody = object(
  'UserCreate',
  { email: Email, username: Username, password: Password },
  { full_name: FullName, role: RoleCodec, is_active: boolean },
  'A new user. `role` and `is_active` may be set by admins only.',
);

export const ReplaceUserBody = object(
  'UserReplace',
  { email: Email, username: Username, full_name: FullName },
  {},
  'The whole profile; `full_name` may be null.',
);

export const UpdateUserBody = object(
  'UserUpdate',
  {},
  { email: Email, username: Username, full_name: FullName, role: RoleCodec, is_active: boolean },
  'Only the fields sent change. `role` is for admins; `is_active` for admins, and for moderators on plain users.',
);

export const UserIdParams = params('UserIdParams', { id: idParam('user id') }, {}, ['id']);

export const SORTS = USER_SORT_FIELDS.flatMap((field) => [field, `-${field}`] as const);

const LIST_FILTER_SPECS = {
  role: enumParam('role', ROLES, 'Only users with this role'),
  is_active: boolParam('is_active', 'Only active (true) or inactive (false) users'),
  search: textParam('search', 100, 'Case-insensitive substring of email, username or full name'),
  sort: enumParam('sort', SORTS, 'Sort field; a leading `-` sorts descending'),
};

export const ListUsersQueryCodec = params(
  'ListUsersQuery',
  { ...PAGE_SPECS, ...LIST_FILTER_SPECS },
  { ...PAGE_DEFAULTS, sort: 'created_at' as const },
);

/** Version 2: keyset pages. */
export const ListUsersSliceQueryCodec = params(
  'ListUsersSliceQuery',
  { ...SLICE_SPECS, ...LIST_FILTER_SPECS },
  { ...SLICE_DEFAULTS, sort: 'created_at' as const },
);

/** The user representation: never a password or its hash. */
export const presentUser = (u: UserView) => ({
  id: u.id,
  email: u.email,
  username: u.username,
  full_name: u.fullName,
  role: u.role,
  is_active: u.isActive,
  email_verified: u.emailVerified,
  created_at: u.createdAt.toISOString(),
  updated_at: u.updatedAt.toISOString(),
});

export const UserSchema = {
  type: 'object',
  required: [
    'id',
    'email',
    'username',
    'full_name',
    'role',
    'is_active',
    'email_verified',
    'created_at',
    'updated_at',
  ],
  properties: {
    id: { type: 'integer', minimum: 1, maximum: MAX_ID, examples: [1] },
    email: {
      type: 'string',
      maxLength: EMAIL_MAX,
      pattern: EMAIL_PATTERN.source,
      examples: ['ada@example.com'],
    },
    username: {
      type: 'string',
      minLength: USERNAME_MIN,
      maxLength: USERNAME_MAX,
      pattern: '^[A-Za-z0-9_]+$',
      examples: ['ada'],
    },
    full_name: { type: ['string', 'null'], maxLength: FULL_NAME_MAX, examples: ['Ada Lovelace'] },
    role: { type: 'string', enum: ROLES },
    is_active: { type: 'boolean' },
    email_verified: {
      type: 'boolean',
      description: 'Whether the address was proved by a mailed token; changing the email resets it',
    },
    created_at: { type: 'string', format: 'date-time', maxLength: 30 },
    updated_at: { type: 'string', format: 'date-time', maxLength: 30 },
  },
} as const;
