import { expect } from 'chai';
import { PASSWORD, bearer, type TestApi } from '../../support/api.js';
import { useApi, type OpenStore } from './harness.js';

const NEW_PASSWORD = 'Fresh1Passw0rd';

/** The token of the last mail to `to` whose link goes to `page`. */
async function tokenFrom(
  api: TestApi,
  to: string,
  page: 'verify-email' | 'reset-password',
): Promise<string> {
  const mails = (await api.mails(to)).filter((m) => m.text.includes(`/${page}#token=`));
  expect(mails, `a ${page} mail to ${to}`).to.not.be.empty;
  const last = mails[mails.length - 1]!;
  const match = new RegExp(`${api.config.mail.appUrl}/${page}#token=([A-Za-z0-9_-]+)`).exec(
    last.text,
  );
  expect(match, last.text).to.not.equal(null);
  expect(last.html).to.contain(`href="${api.config.mail.appUrl}/${page}#token=${match![1]}"`);
  return match![1]!;
}

const signIn = (api: TestApi, username: string, password: string) =>
  api.http.post('/api/v1/auth/token').send({ username, password });

export function mailSuite(open: OpenStore): void {
  describe('mail: verification and recovery', () => {
    // The limits on mail requests have a block of their own below.
    const ctx = useApi(open, { mail: { requestMax: 1_000_000 } });

    describe('email verification', () => {
      it('a sign-up is unverified and gets a verification mail whose token verifies it, once', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const email = `${user.username}@example.com`;
        expect(user.body['email_verified']).to.equal(false);
        const [mail] = await api.mails(email);
        expect(mail!.subject).to.equal('Confirm your email address');
        expect(mail!.text).to.contain(`Hello ${user.username},`);
        const token = await tokenFrom(api, email, 'verify-email');
        expect((await api.http.post('/api/v1/auth/verify-email').send({ token })).status).to.equal(
          204,
        );
        const me = await api.http.get('/api/v1/users/me').set(bearer(user.token));
        expect(me.body.email_verified).to.equal(true);
        const again = await api.http.post('/api/v1/auth/verify-email').send({ token });
        expect(again.status).to.equal(400);
        expect(again.body.message).to.equal('Invalid or expired token');
      });

      it('a new verification mail spends the earlier token; a verified address is 409', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const email = `${user.username}@example.com`;
        const first = await tokenFrom(api, email, 'verify-email');
        const res = await api.http
          .post('/api/v1/auth/verify-email/request')
          .set(bearer(user.token));
        expect(res.status).to.equal(202);
        const second = await tokenFrom(api, email, 'verify-email');
        expect(second).to.not.equal(first);
        expect(
          (await api.http.post('/api/v1/auth/verify-email').send({ token: first })).status,
        ).to.equal(400);
        expect(
          (await api.http.post('/api/v1/auth/verify-email').send({ token: second })).status,
        ).to.equal(204);
        const verified = await api.http
          .post('/api/v1/auth/verify-email/request')
          .set(bearer(user.token));
        expect(verified.status).to.equal(409);
        expect((await api.http.post('/api/v1/auth/verify-email/request')).status).to.equal(401);
      });

      it('refuses a token that is malformed, unknown, expired or for another purpose', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const email = `${user.username}@example.com`;
        const token = await tokenFrom(api, email, 'verify-email');
        const forged = `${token.slice(0, 22)}${'A'.repeat(42)}`;
        for (const bad of ['x', 'A'.repeat(64), forged, `${token}A`]) {
          const res = await api.http.post('/api/v1/auth/verify-email').send({ token: bad });
          expect(res.status, bad).to.equal(400);
          expect(res.body.message).to.equal('Invalid or expired token');
        }
        // A verification token does not reset a password.
        const wrongPurpose = await api.http
          .post('/api/v1/auth/password-reset')
          .send({ token, new_password: NEW_PASSWORD });
        expect(wrongPurpose.status).to.equal(400);
        expect(
          (await api.http.post('/api/v1/auth/verify-email').send({ token: '' })).status,
        ).to.equal(422);
        expect((await api.http.post('/api/v1/auth/verify-email').send({})).status).to.equal(422);
        api.clock.advance(api.config.mail.emailTokenTtlS * 1000);
        expect((await api.http.post('/api/v1/auth/verify-email').send({ token })).status).to.equal(
          400,
        );
      });

      it('changing the email unverifies it, mails the new address a verification and the old one a notice', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const oldEmail = `${user.username}@example.com`;
        const oldToken = await tokenFrom(api, oldEmail, 'verify-email');
        expect(
          (await api.http.post('/api/v1/auth/verify-email').send({ token: oldToken })).status,
        ).to.equal(204);
        const alreadyVerified = (
          await api.http.post('/api/v1/auth/verify-email/request').set(bearer(user.token))
        ).status;
        expect(alreadyVerified).to.equal(409);

        const newEmail = `new_${user.username}@example.org`;
        const res = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ email: newEmail });
        expect(res.status).to.equal(200);
        expect(res.body.email_verified).to.equal(false);
        const notice = (await api.mails(oldEmail)).at(-1)!;
        expect(notice.subject).to.equal('Your email address was changed');
        expect(notice.text).to.contain(newEmail);
        const token = await tokenFrom(api, newEmail, 'verify-email');
        expect((await api.http.post('/api/v1/auth/verify-email').send({ token })).status).to.equal(
          204,
        );
        expect(
          (await api.http.get('/api/v1/users/me').set(bearer(user.token))).body.email_verified,
        ).to.equal(true);
      });

      it('a token sent to an address the account no longer has is refused', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const oldToken = await tokenFrom(api, `${user.username}@example.com`, 'verify-email');
        const put = await api.http
          .put(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({
            email: `moved_${user.username}@example.com`,
            username: user.username,
            full_name: null,
          });
        expect(put.status).to.equal(200);
        expect((await api.mails(`moved_${user.username}@example.com`)).length).to.equal(1);
        const res = await api.http.post('/api/v1/auth/verify-email').send({ token: oldToken });
        expect(res.status).to.equal(400);
        expect(
          (await api.http.get('/api/v1/users/me').set(bearer(user.token))).body.email_verified,
        ).to.equal(false);
      });

      it('a change that keeps the email keeps it verified and sends nothing', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const email = `${user.username}@example.com`;
        await api.http
          .post('/api/v1/auth/verify-email')
          .send({ token: await tokenFrom(api, email, 'verify-email') });
        const before = (await api.mails()).length;
        const res = await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(user.token))
          .send({ email: email.toUpperCase(), full_name: 'Ada' });
        expect(res.status).to.equal(200);
        expect(res.body.email_verified).to.equal(true);
        expect((await api.mails()).length).to.equal(before);
      });
    });

    describe('password recovery', () => {
      it('mails a reset link to an active account; the token sets a new password, ends every session, and a notice follows', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const email = `${user.username}@example.com`;
        const res = await api.http
          .post('/api/v1/auth/password-reset/request')
          .send({ email: email.toUpperCase() });
        expect(res.status).to.equal(202);
        const token = await tokenFrom(api, email, 'reset-password');
        const reset = await api.http
          .post('/api/v1/auth/password-reset')
          .send({ token, new_password: NEW_PASSWORD });
        expect(reset.status).to.equal(204);
        expect((await api.http.get('/api/v1/users/me').set(bearer(user.token))).status).to.equal(
          401,
        );
        expect((await signIn(api, user.username, PASSWORD)).status).to.equal(401);
        expect((await signIn(api, user.username, NEW_PASSWORD)).status).to.equal(200);
        expect((await api.mails(email)).at(-1)!.subject).to.equal('Your password was changed');
        expect(
          (
            await api.http
              .post('/api/v1/auth/password-reset')
              .send({ token, new_password: 'Other1Passw0rd' })
          ).status,
        ).to.equal(400);
        expect(api.logger.find('password_reset')).to.have.length(1);
      });

      it('answers 202 for an unknown address or an inactive account, and sends nothing', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(await api.adminToken()))
          .send({ is_active: false });
        const before = (await api.mails()).length;
        for (const email of ['nobody@example.com', `${user.username}@example.com`]) {
          const res = await api.http.post('/api/v1/auth/password-reset/request').send({ email });
          expect(res.status, email).to.equal(202);
        }
        expect((await api.mails()).length).to.equal(before);
        expect(
          (
            await api.http
              .post('/api/v1/auth/password-reset/request')
              .send({ email: 'not-an-email' })
          ).status,
        ).to.equal(422);
      });

      it('a weak password is 422 and leaves the token usable; a new request spends the older token', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const email = `${user.username}@example.com`;
        await api.http.post('/api/v1/auth/password-reset/request').send({ email });
        const first = await tokenFrom(api, email, 'reset-password');
        const weak = await api.http
          .post('/api/v1/auth/password-reset')
          .send({ token: first, new_password: 'weak' });
        expect(weak.status).to.equal(422);
        expect(weak.body.details.map((d: { field: string }) => d.field)).to.deep.equal([
          'new_password',
        ]);
        await api.http.post('/api/v1/auth/password-reset/request').send({ email });
        const second = await tokenFrom(api, email, 'reset-password');
        expect(
          (
            await api.http
              .post('/api/v1/auth/password-reset')
              .send({ token: first, new_password: NEW_PASSWORD })
          ).status,
        ).to.equal(400);
        expect(
          (
            await api.http
              .post('/api/v1/auth/password-reset')
              .send({ token: second, new_password: NEW_PASSWORD })
          ).status,
        ).to.equal(204);
      });

      it('a reset token expires after PASSWORD_RESET_TTL_S and dies with a change of address', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const email = `${user.username}@example.com`;
        await api.http.post('/api/v1/auth/password-reset/request').send({ email });
        const expiring = await tokenFrom(api, email, 'reset-password');
        api.clock.advance(api.config.mail.passwordResetTtlS * 1000);
        expect(
          (
            await api.http
              .post('/api/v1/auth/password-reset')
              .send({ token: expiring, new_password: NEW_PASSWORD })
          ).status,
        ).to.equal(400);
        await api.http.post('/api/v1/auth/password-reset/request').send({ email });
        const moved = await tokenFrom(api, email, 'reset-password');
        const token = await api.token(user.username);
        await api.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(token))
          .send({ email: `elsewhere_${user.username}@example.com` });
        expect(
          (
            await api.http
              .post('/api/v1/auth/password-reset')
              .send({ token: moved, new_password: NEW_PASSWORD })
          ).status,
        ).to.equal(400);
        expect((await signIn(api, user.username, PASSWORD)).status).to.equal(200);
      });

      it('clears the sign-in lockout of the account', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        for (let i = 0; i < api.config.login.maxFailures; i += 1)
          await signIn(api, user.username, 'Wrong1Password');
        expect((await signIn(api, user.username, PASSWORD)).status).to.equal(429);
        await api.http
          .post('/api/v1/auth/password-reset/request')
          .send({ email: `${user.username}@example.com` });
        const token = await tokenFrom(api, `${user.username}@example.com`, 'reset-password');
        expect(
          (
            await api.http
              .post('/api/v1/auth/password-reset')
              .send({ token, new_password: NEW_PASSWORD })
          ).status,
        ).to.equal(204);
        expect((await signIn(api, user.username, NEW_PASSWORD)).status).to.equal(200);
      });

      it("a password change sends a notice to the account's address", async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const res = await api.http
          .post('/api/v1/users/me/password')
          .set(bearer(user.token))
          .send({ current_password: PASSWORD, new_password: NEW_PASSWORD });
        expect(res.status).to.equal(204);
        expect((await api.mails(`${user.username}@example.com`)).at(-1)!.subject).to.equal(
          'Your password was changed',
        );
      });
    });

    describe('the outbox and personal data', () => {
      // A store of its own: the counts of sent mails below are this block's.
      const ctx = useApi(open, { mail: { requestMax: 1_000_000 } });
      const exportOf = async (api: TestApi, token: string) => {
        const res = await api.http.get('/api/v1/users/me/export').set(bearer(token));
        expect(res.status).to.equal(200);
        return res.body as {
          pending_mails: Array<Record<string, unknown>>;
          email_tokens: Array<Record<string, unknown>>;
        };
      };
      /** One account erased by its owner, the other by an admin. */
      const eraseBoth = async (
        api: TestApi,
        own: { token: string },
        byAdmin: { id: number },
        admin: string,
      ) => {
        expect(
          (
            await api.http
              .delete('/api/v1/users/me')
              .set(bearer(own.token))
              .send({ password: PASSWORD })
          ).status,
        ).to.equal(204);
        expect(
          (await api.http.delete(`/api/v1/users/${byAdmin.id}`).set(bearer(admin))).status,
        ).to.equal(204);
      };

      it('the export lists the pending mails and the live links, never a token or its hash', async () => {
        const api = ctx.get();
        const user = await api.createUser();
        const email = `${user.username}@example.com`;
        const signedUp = user.body['created_at'] as string;
        const first = await exportOf(api, user.token);
        expect(first.pending_mails).to.deep.equal([
          { kind: 'verify_email', created_at: signedUp, status: 'pending' },
        ]);
        const verifyExpires = new Date(
          Date.parse(signedUp) + api.config.mail.emailTokenTtlS * 1000,
        ).toISOString();
        expect(first.email_tokens).to.deep.equal([
          { purpose: 'verify_email', created_at: signedUp, expires_at: verifyExpires },
        ]);
        api.clock.advance(1000);
        expect(
          (await api.http.post('/api/v1/auth/password-reset/request').send({ email })).status,
        ).to.equal(202);
        const second = await exportOf(api, user.token);
        expect(second.pending_mails.map((m) => m.kind)).to.deep.equal([
          'verify_email',
          'password_reset',
        ]);
        expect(second.email_tokens.map((t) => t.purpose)).to.deep.equal([
          'verify_email',
          'password_reset',
        ]);
        // Once sent, a mail leaves the export; its link stays there until it is used or expires.
        const verify = await tokenFrom(api, email, 'verify-email');
        const reset = await tokenFrom(api, email, 'reset-password');
        const sent = await exportOf(api, user.token);
        expect(sent.pending_mails).to.deep.equal([]);
        expect(sent.email_tokens.map((t) => t.purpose)).to.deep.equal([
          'verify_email',
          'password_reset',
        ]);
        for (const body of [first, second, sent]) {
          const text = JSON.stringify(body);
          expect(text).to.not.contain(verify);
          expect(text).to.not.contain(reset);
          expect(text).to.not.match(/hash|selector|"token"|"data"/i);
        }
        expect(
          (await api.http.post('/api/v1/auth/verify-email').send({ token: verify })).status,
        ).to.equal(204);
        expect((await exportOf(api, user.token)).email_tokens.map((t) => t.purpose)).to.deep.equal([
          'password_reset',
        ]);
      });

      it('erasing an account, by its owner or an admin, deletes its mails: the pending ones are never sent', async () => {
        const api = ctx.get();
        const outbox = api.service.persistence.outbox;
        const admin = await api.adminToken();
        await api.mails();
        const own = await api.createUser();
        const byAdmin = await api.createUser();
        const kept = await api.createUser();
        // One mail each already sent, one each still waiting.
        await api.mails();
        for (const user of [own, byAdmin, kept]) {
          const res = await api.http
            .post('/api/v1/auth/password-reset/request')
            .send({ email: `${user.username}@example.com` });
          expect(res.status).to.equal(202);
        }
        await eraseBoth(api, own, byAdmin, admin);
        for (const gone of [own, byAdmin])
          expect(
            await outbox.pendingOf({ id: gone.id, email: `${gone.username}@example.com` }),
          ).to.deep.equal([]);
        await api.mails();
        for (const gone of [own, byAdmin])
          expect(
            (await api.mails(`${gone.username}@example.com`)).map((m) => m.subject),
          ).to.deep.equal(['Confirm your email address']);
        expect(
          (await api.mails(`${kept.username}@example.com`)).map((m) => m.subject),
        ).to.have.length(2);
        // Of the sent mails, only those of the remaining accounts are left to prune.
        const remaining = (await api.mails()).length - 2;
        expect(await outbox.pruneBatch(new Date(api.clock.now().getTime() + 1), 1000)).to.equal(
          remaining,
        );
      });

      it('after a change of email, the export lists the mails to both addresses, and erasure takes both: neither is sent', async () => {
        const api = ctx.get();
        const outbox = api.service.persistence.outbox;
        const admin = await api.adminToken();
        const own = await api.createUser();
        const byAdmin = await api.createUser();
        const kept = await api.createUser();
        await api.mails();
        const moved = (user: { username: string }) => `moved_${user.username}@example.org`;
        for (const user of [own, byAdmin, kept]) {
          const res = await api.http
            .patch(`/api/v1/users/${user.id}`)
            .set(bearer(user.token))
            .send({ email: moved(user) });
          expect(res.status).to.equal(200);
        }
        // The link to the new address and the notice to the old one, both waiting.
        const changedAt = api.clock.now().toISOString();
        expect((await exportOf(api, own.token)).pending_mails).to.deep.equal([
          { kind: 'verify_email', created_at: changedAt, status: 'pending' },
          { kind: 'email_changed', created_at: changedAt, status: 'pending' },
        ]);
        await eraseBoth(api, own, byAdmin, admin);
        for (const gone of [own, byAdmin])
          expect(await outbox.pendingOf({ id: gone.id, email: moved(gone) })).to.deep.equal([]);
        expect((await outbox.stats()).backlog).to.equal(2);
        await api.mails();
        for (const gone of [own, byAdmin]) {
          expect(
            (await api.mails(`${gone.username}@example.com`)).map((m) => m.subject),
          ).to.deep.equal(['Confirm your email address']);
          expect(await api.mails(moved(gone))).to.deep.equal([]);
        }
        // The account that stayed gets both.
        expect(
          (await api.mails(`${kept.username}@example.com`)).map((m) => m.subject),
        ).to.deep.equal(['Confirm your email address', 'Your email address was changed']);
        expect((await api.mails(moved(kept))).map((m) => m.subject)).to.deep.equal([
          'Confirm your email address',
        ]);
        // The test above left nothing to prune: of the sent mails only the three of the account that stayed are left.
        expect(await outbox.pruneBatch(new Date(api.clock.now().getTime() + 1), 1000)).to.equal(3);
      });

      it('the service prunes sent mails once they are older than MAIL_OUTBOX_RETENTION_DAYS, and logs it', async () => {
        const api = ctx.get();
        await api.createUser();
        await api.mails();
        const prune = () => Promise.all(api.service.pruners.map((pruner) => pruner.pruneOnce()));
        await prune();
        api.clock.advance(api.config.mail.outboxRetentionDays * 86_400_000 - 1000);
        await prune();
        expect(
          api.logger.entries.some((e) => e.fields?.['event'] === 'mail_outbox_pruned'),
        ).to.equal(false);
        api.clock.advance(2000);
        await prune();
        expect(
          api.logger.entries.some((e) => e.fields?.['event'] === 'mail_outbox_pruned'),
        ).to.equal(true);
        expect(
          await api.service.persistence.outbox.pruneBatch(new Date('9999-01-01T00:00:00Z'), 1000),
        ).to.equal(0);
      });
    });

    it('counts mails sent and the outbox backlog in /metrics', async () => {
      const api = ctx.get();
      await api.createUser();
      const waiting = await api.http.get('/metrics');
      expect(waiting.text).to.match(/^mail_outbox_backlog [1-9]\d*$/m);
      await api.mails();
      const text = (await api.http.get('/metrics')).text;
      expect(text).to.match(/^mail_sent_total\{kind="verify_email"\} [1-9]\d*$/m);
      expect(text).to.match(/^mail_outbox_backlog 0$/m);
      expect(text).to.match(/^mail_outbox_oldest_pending_age_seconds 0$/m);
    });
  });

  describe('mail: EMAIL_VERIFICATION_REQUIRED', () => {
    const ctx = useApi(open, { mail: { verificationRequired: true } });

    it('an unverified account cannot sign in (403) until it verifies its address', async () => {
      const api = ctx.get();
      const res = await api.http
        .post('/api/v1/users')
        .send({ email: 'unverified@example.com', username: 'unverified', password: PASSWORD });
      expect(res.status).to.equal(201);
      const refused = await signIn(api, 'unverified', PASSWORD);
      expect(refused.status).to.equal(403);
      expect(refused.body.message).to.equal('Email address not verified');
      // A wrong password is still the same 401 as for anyone.
      expect((await signIn(api, 'unverified', 'Wrong1Password')).status).to.equal(401);
      const token = await tokenFrom(api, 'unverified@example.com', 'verify-email');
      expect((await api.http.post('/api/v1/auth/verify-email').send({ token })).status).to.equal(
        204,
      );
      expect((await signIn(api, 'unverified', PASSWORD)).status).to.equal(200);
      // The configured first admin counts as verified.
      expect((await api.adminToken()).length).to.be.greaterThan(0);
    });
  });

  describe('mail: limits on mail requests', () => {
    const ctx = useApi(open, { mail: { requestMax: 3, requestWindowS: 3600 } });

    it('limits reset requests per target email and per address, with Retry-After', async () => {
      const api = ctx.get();
      for (let i = 0; i < 3; i += 1) {
        expect(
          (
            await api.http
              .post('/api/v1/auth/password-reset/request')
              .send({ email: 'target@example.com' })
          ).status,
        ).to.equal(202);
      }
      const refused = await api.http
        .post('/api/v1/auth/password-reset/request')
        .send({ email: 'target@example.com' });
      expect(refused.status).to.equal(429);
      expect(refused.body.error).to.equal('RateLimitError');
      expect(Number(refused.headers['retry-after'])).to.be.within(1, 3600);
      // The address has spent its budget too, whatever the email.
      expect(
        (
          await api.http
            .post('/api/v1/auth/password-reset/request')
            .send({ email: 'other@example.com' })
        ).status,
      ).to.equal(429);
    });
  });
}
