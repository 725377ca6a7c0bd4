/**
 * A password-reset request takes about as long whether or not the address has an account, so its
 * time tells nobody which addresses do. Measured over many tries, interleaved, so that a busy
 * machine slows both kinds alike, as the sign-in's timing is checked.
 */
import { expect } from 'chai';
import { startApi, type TestApi } from '../support/api.js';
import { describeStorages } from '../support/storage.js';

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describeStorages(
  'POST /auth/password-reset/request timing',
  ['in-memory', 'postgresql'],
  (target) => {
    let api: TestApi;
    let dispose: () => Promise<void>;

    before(async function () {
      this.timeout(60_000);
      const store = await target.open();
      dispose = () => store.dispose();
      // The service's own floor, not the tests' shortcut.
      api = await startApi(
        store,
        { mail: { requestMax: 1_000_000 } },
        { resetRequestFloorMs: 250 },
      );
    });

    after(async () => {
      await api.close();
      await dispose();
    });

    it('answers 202 in about the same time with and without an account', async function () {
      this.timeout(60_000);
      const user = await api.createUser();
      const known = `${user.username}@example.com`;
      const time = async (email: string): Promise<number> => {
        const started = performance.now();
        const res = await api.http.post('/api/v1/auth/password-reset/request').send({ email });
        expect(res.status).to.equal(202);
        return performance.now() - started;
      };
      const withAccount: number[] = [];
      const without: number[] = [];
      for (let i = 0; i < 12; i += 1) {
        withAccount.push(await time(known));
        without.push(await time(`nobody${i}@example.com`));
      }
      // Mails went out for the account only.
      expect(
        (await api.mails()).filter((m) => m.subject === 'Reset your password').map((m) => m.to),
      ).to.deep.equal(Array(12).fill(known));
      const [a, b] = [median(withAccount), median(without)];
      expect(
        Math.max(a, b) / Math.min(a, b),
        `medians ${a.toFixed(1)} ms and ${b.toFixed(1)} ms`,
      ).to.be.lessThan(1.2);
    });
  },
);
