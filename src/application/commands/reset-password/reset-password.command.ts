/** Whoever holds a reset token sets a new password. */
export class ResetPasswordCommand {
  constructor(
    readonly token: string,
    readonly newPassword: string,
  ) {}
}
