/**
 * The field rules of a user. Each check returns null when the value is acceptable and otherwise
 * the message a caller sees. The HTTP codecs call these same functions, so the edge and the
 * domain cannot disagree.
 */
export const EMAIL_PATTERN = /^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$/;
export const EMAIL_MAX = 254;
export const USERNAME_PATTERN = /^[A-Za-z0-9_]{3,50}$/;
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 50;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const FULL_NAME_MAX = 100;

export function emailProblem(value: string): string | null {
  if (value.length > EMAIL_MAX) return `Email must be at most ${EMAIL_MAX} characters`;
  if (!EMAIL_PATTERN.test(value)) return 'Invalid email format';
  return null;
}

export function usernameProblem(value: string): string | null {
  if (value.length < USERNAME_MIN || value.length > USERNAME_MAX) {
    return `Username must be between ${USERNAME_MIN} and ${USERNAME_MAX} characters`;
  }
  if (!USERNAME_PATTERN.test(value))
    return 'Username may contain only letters, digits and underscores';
  return null;
}

export function passwordProblem(value: string): string | null {
  if (value.length < PASSWORD_MIN || value.length > PASSWORD_MAX) {
    return `Password must be between ${PASSWORD_MIN} and ${PASSWORD_MAX} characters`;
  }
  const missing: string[] = [];
  if (!/[A-Z]/.test(value)) missing.push('one upper-case letter');
  if (!/[a-z]/.test(value)) missing.push('one lower-case letter');
  if (!/[0-9]/.test(value)) missing.push('one digit');
  if (missing.length > 0) return `Password must contain at least ${missing.join(', ')}`;
  return null;
}

export function fullNameProblem(value: string | null): string | null {
  if (value !== null && value.length > FULL_NAME_MAX)
    return `Full name must be at most ${FULL_NAME_MAX} characters`;
  return null;
}

/** Emails are stored lower-cased; usernames keep their case but are unique regardless of it. */
export const normalizeEmail = (value: string): string => value.toLowerCase();
