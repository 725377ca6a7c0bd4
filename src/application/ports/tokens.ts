import { token } from './token.js';

export interface AccessTokenClaims {
  readonly userId: number;
  readonly tokenId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export interface IssuedToken {
  readonly token: string;
  /** Seconds. */
  readonly expiresIn: number;
}

export interface TokenIssuer {
  issueAccessToken(userId: number): Promise<IssuedToken>;
}

export interface TokenVerifier {
  /** Throws an `unauthorized` DomainError for a malformed, tampered, foreign or expired token. */
  verifyAccessToken(token: string): Promise<AccessTokenClaims>;
}

export const TOKEN_ISSUER = token<TokenIssuer>('TokenIssuer');
export const TOKEN_VERIFIER = token<TokenVerifier>('TokenVerifier');
