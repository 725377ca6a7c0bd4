/** Exchanges a refresh token for a new access token and a new refresh token of the same session. */
export class RefreshTokenCommand {
  constructor(readonly refreshToken: string) {}
}
