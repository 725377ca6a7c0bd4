import { inject, injectable } from 'tsyringe';
import type { User } from '../../domain/user/user.js';
import { badRequest, DomainError } from '../../domain/shared/errors.js';
import {
  EMAIL_TOKEN_CODEC,
  EMAIL_TOKEN_REPOSITORY,
  MAIL_POLICY,
  type EmailTokenCodec,
  type EmailTokenPurpose,
  type EmailTokenRepository,
  type MailPolicy,
} from '../ports/email-tokens.js';
import type { Mail } from '../ports/outbox.js';
import type { RateLimiter } from '../ports/rate-limiter.js';

export const INVALID_TOKEN = 'Invalid or expired token';

/** What a redeemed token vouches for: this user held this address when it was sent. */
export interface RedeemedToken {
  readonly userId: number;
  readonly email: string;
}

/**
 * The single-use tokens of mails: issued for a user's current address (spending the user's older
 * ones of the purpose), redeemed once, before they expire, for their own purpose only.
 */
@injectable()
export class EmailTokens {
  constructor(
    @inject(EMAIL_TOKEN_REPOSITORY) private readonly store: EmailTokenRepository,
    @inject(EMAIL_TOKEN_CODEC) private readonly codec: EmailTokenCodec,
    @inject(MAIL_POLICY) private readonly policy: MailPolicy,
  ) {}

  /** A new token for the user's current address; the user's older ones of this purpose are spent. */
  async issue(
    purpose: EmailTokenPurpose,
    user: Pick<User, 'id' | 'email'>,
    now: Date,
  ): Promise<string> {
    const fresh = this.codec.generate();
    const ttlS =
      purpose === 'password_reset' ? this.policy.passwordResetTtlS : this.policy.emailTokenTtlS;
    await this.store.issue(
      {
        selector: fresh.selector,
        verifierHash: fresh.verifierHash,
        purpose,
        userId: user.id,
        email: user.email,
        createdAt: now,
        expiresAt: new Date(now.getTime() + ttlS * 1000),
      },
      now,
    );
    return fresh.token;
  }

  /** Spends the token; throws 400 `Invalid or expired token` for anything but a live token of this purpose. */
  async redeem(purpose: EmailTokenPurpose, token: string, now: Date): Promise<RedeemedToken> {
    const parsed = this.codec.parse(token);
    if (parsed === null) throw badRequest(INVALID_TOKEN);
    const stored = await this.store.find(parsed.selector);
    // The hash is compared even when the row is of no use, so that the answer's time says nothing.
    const matches = this.codec.same(
      stored?.verifierHash ?? parsed.verifierHash.replace(/./g, 'A'),
      parsed.verifierHash,
    );
    if (
      stored === null ||
      !matches ||
      stored.purpose !== purpose ||
      stored.spentAt !== null ||
      stored.expiresAt.getTime() <= now.getTime()
    ) {
      throw badRequest(INVALID_TOKEN);
    }
    if (!(await this.store.spend(stored.selector, now))) throw badRequest(INVALID_TOKEN);
    return { userId: stored.userId, email: stored.email };
  }
}

/** The verification mail of a user's current address. */
export const verificationMail = (
  user: Pick<User, 'id' | 'email' | 'username'>,
  token: string,
): Mail => ({
  kind: 'verify_email',
  to: user.email,
  userId: user.id,
  data: { username: user.username, token },
});

/** The notice to an account's address that its password was changed (or reset). */
export const passwordChangedMail = (user: Pick<User, 'id' | 'email' | 'username'>): Mail => ({
  kind: 'password_changed',
  to: user.email,
  userId: user.id,
  data: { username: user.username },
});

/**
 * Requests for mails are limited per address and per target email, on top of the general rate
 * limit: 429 with the seconds until the window ends.
 */
export async function limitMailRequests(
  limiter: RateLimiter,
  ip: string,
  email: string,
): Promise<void> {
  // Both are counted, so an address cannot spread its requests over many emails, nor many
  // addresses flood one inbox.
  const [byAddress, byEmail] = await Promise.all([
    limiter.consume(`ip:${ip}`),
    limiter.consume(`email:${email.toLowerCase()}`),
  ]);
  const refused = [byAddress, byEmail].filter((d) => !d.allowed);
  if (refused.length > 0) {
    throw new DomainError(
      'rate_limited',
      'Too many requests for mails. Try again later.',
      undefined,
      {
        retryAfterS: Math.max(...refused.map((d) => d.resetS)),
      },
    );
  }
}
