/** Ends the session a refresh token belongs to. */
export class LogoutCommand {
  constructor(readonly refreshToken: string) {}
}
