/** Resource ids are positive integers no wider than PostgreSQL's `integer`: ids beyond it cannot exist. */
export const MAX_ID = 2_147_483_647;

/** Whether a value can be a resource id: a path, a body, a token's subject or a cursor holding any other is refused. */
export const isId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID;
