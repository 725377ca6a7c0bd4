/** Whether a user with this id exists, asked by the service itself (no caller's right applies). */
export class UserExistsQuery {
  constructor(readonly userId: number) {}
}
