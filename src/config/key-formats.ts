/**
 * Formats of token keys, shared by the configuration (which rejects a malformed value at start)
 * and the token adapter (which imports the keys).
 */

/** PASERK `k4.secret.` + 64 bytes, base64url without padding. */
export const K4_SECRET_PATTERN = /^k4\.secret\.[A-Za-z0-9_-]{86}$/;
/** PASERK `k4.public.` + 32 bytes, base64url without padding. */
export const K4_PUBLIC_PATTERN = /^k4\.public\.[A-Za-z0-9_-]{43}$/;
/** Key ids travel in the token footer and in `TOKEN_VERIFY_KEYS` (`kid=k4.public...,kid=...`). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
