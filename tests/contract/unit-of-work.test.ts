import { expect } from 'chai';
import { EMAIL_TAKEN } from '../../src/application/ports/user-repository.js';
import { DomainError } from '../../src/domain/shared/errors.js';
import { aUser, anAdmin, at, changed } from '../support/builders.js';
import { describeStorages, useStorage } from '../support/storage.js';
import {
  expectDomainError,
  latch,
  outcomes,
  rejectionOf,
  rendezvous,
  Rollback,
} from './helpers.js';

describeStorages('UnitOfWork contract', (target) => {
  const store = useStorage(target);
  const run = <T>(work: () => Promise<T>) => store().unitOfWork.run(work);
  const users = () => store().users;
  const everyone = async () =>
    (
      await store().userReadModel.list({
        filter: {},
        sort: { field: 'created_at', direction: 'asc' },
        page: 1,
        pageSize: 100,
      })
    ).items;

  describe('commit and rollback', () => {
    it('commits every write of the unit and returns what the work returns', async () => {
      const ada = await users().add(aUser());
      const gone = await users().add(aUser());
      const result = await run(async () => {
        const added = await users().add(aUser({ username: 'inside' }));
        await users().update(changed(ada, { fullName: 'Changed inside' }));
        await users().remove(gone.id);
        return added.id;
      });
      expect((await users().findByLogin('inside'))?.id).to.equal(result);
      expect((await users().findById(ada.id))?.fullName).to.equal('Changed inside');
      expect(await users().findById(gone.id)).to.equal(null);
    });

    it('rolls every write back when the work throws, and passes the error on unchanged', async () => {
      const ada = await users().add(aUser());
      const kept = await users().add(aUser());
      const failure = new Rollback();
      const error = await rejectionOf(
        run(async () => {
          await users().add(aUser({ username: 'inside' }));
          await users().update(changed(ada, { fullName: 'Changed inside' }));
          await users().remove(kept.id);
          throw failure;
        }),
      );
      expect(error).to.equal(failure);
      expect(await users().findByLogin('inside')).to.equal(null);
      expect((await users().findById(ada.id))?.fullName).to.equal(ada.fullName);
      expect(await users().findById(kept.id)).to.not.equal(null);
      expect((await everyone()).map((v) => v.id)).to.deep.equal([ada.id, kept.id]);
    });

    it('lets the work read its own writes, through the repository and the read model', async () => {
      const ada = await users().add(aUser());
      await run(async () => {
        const added = await users().add(aUser({ username: 'inside', createdAt: at(1_000_000) }));
        await users().update(changed(ada, { fullName: 'Changed inside' }));
        expect((await users().findById(added.id))?.username).to.equal('inside');
        expect((await users().findByLogin('INSIDE'))?.id).to.equal(added.id);
        expect((await store().userReadModel.getById(ada.id))?.fullName).to.equal('Changed inside');
        expect((await everyone()).map((v) => v.id)).to.deep.equal([ada.id, added.id]);
      });
    });

    it('stays usable after a write fails inside it', async () => {
      await users().add(aUser({ email: 'ada@example.com' }));
      await run(async () => {
        expectDomainError(
          await rejectionOf(users().add(aUser({ email: 'ada@example.com' }))),
          'conflict',
          EMAIL_TAKEN,
        );
        await users().add(aUser({ username: 'after_failure' }));
      });
      expect(await users().findByLogin('after_failure')).to.not.equal(null);
      expect(await everyone()).to.have.length(2);
    });
  });

  describe('isolation', () => {
    it('keeps an open unit’s writes from readers outside it', async () => {
      const ada = await users().add(aUser());
      const written = latch();
      const finish = latch();
      const unit = run(async () => {
        await users().add(aUser({ username: 'uncommitted' }));
        await users().update(changed(ada, { fullName: 'Uncommitted' }));
        written.open();
        await finish.promise;
        throw new Rollback();
      });
      await written.promise;
      // Started while the unit is open. A store with a single connection answers once the unit
      // has ended; either way, what the unit wrote must never show.
      const seen = Promise.all([
        users().findByLogin('uncommitted'),
        users().findById(ada.id),
        store().userReadModel.getById(ada.id),
        everyone(),
      ]);
      setTimeout(finish.open, 50);
      expect(await rejectionOf(unit)).to.be.instanceOf(Rollback);
      const [byLogin, byId, view, list] = await seen;
      expect(byLogin).to.equal(null);
      expect(byId?.fullName).to.equal(ada.fullName);
      expect(view?.fullName).to.equal(ada.fullName);
      expect(list.map((v) => v.id)).to.deep.equal([ada.id]);
    });

    it('shows a unit’s writes outside it once it commits', async () => {
      let id = 0;
      await run(async () => {
        id = (await users().add(aUser())).id;
      });
      expect(await users().findById(id)).to.not.equal(null);
      expect(await store().userReadModel.getById(id)).to.not.equal(null);
    });
  });

  describe('nesting', () => {
    it('joins a nested run to the outer unit: the outer failure rolls the inner writes back', async () => {
      const error = await rejectionOf(
        run(async () => {
          await users().add(aUser({ username: 'outer' }));
          const inner = await run(async () => {
            expect(
              await users().findByLogin('outer'),
              'the inner run sees the outer writes',
            ).to.not.equal(null);
            await users().add(aUser({ username: 'inner' }));
            return 'inner result';
          });
          expect(inner).to.equal('inner result');
          throw new Rollback();
        }),
      );
      expect(error).to.be.instanceOf(Rollback);
      expect(await users().findByLogin('outer')).to.equal(null);
      expect(await users().findByLogin('inner')).to.equal(null);
    });

    it('commits a nested run only with the outer unit', async () => {
      await run(async () => {
        await run(() => users().add(aUser({ username: 'inner' })));
        expect(await users().findByLogin('inner')).to.not.equal(null);
      });
      expect(await users().findByLogin('inner')).to.not.equal(null);
    });

    it('does not make a nested run a savepoint: its writes stay when the outer unit catches its error', async () => {
      await run(async () => {
        const error = await rejectionOf(
          run(async () => {
            await users().add(aUser({ username: 'inner' }));
            throw new Rollback();
          }),
        );
        expect(error).to.be.instanceOf(Rollback);
      });
      expect(await users().findByLogin('inner')).to.not.equal(null);
    });
  });

  describe('concurrency', () => {
    it('lets exactly one of 20 concurrent units register the same email', async () => {
      const attempts = Array.from({ length: 20 }, (_, i) =>
        run(() => users().add(aUser({ email: 'race@example.com', username: `racer${i}` }))),
      );
      const { values, errors } = await outcomes(attempts);
      expect(values).to.have.length(1);
      expect(errors).to.have.length(19);
      for (const error of errors) expectDomainError(error, 'conflict', EMAIL_TAKEN);
      const stored = await everyone();
      expect(stored.map((v) => v.id)).to.deep.equal([values[0]?.id]);
    });

    it('loses no update when concurrent units read, change and write the same user', async () => {
      const ada = await users().add(aUser());
      const bumps = Array.from({ length: 10 }, () =>
        run(async () => {
          const current = await users().findById(ada.id);
          if (current === null) throw new Error('the user went missing');
          await users().update(changed(current, { fullName: `Bumped ${current.version}` }));
        }),
      );
      await Promise.all(bumps);
      const final = await users().findById(ada.id);
      expect(final?.version).to.equal(ada.version + 10);
      expect(final?.fullName).to.equal(`Bumped ${ada.version + 9}`);
    });

    it('keeps one active admin when the last two demote each other at the same time', async () => {
      const first = await users().add(anAdmin());
      const second = await users().add(anAdmin());
      // Both units lock their own row before either counts the others, where the store lets
      // them run side by side (PostgreSQL then breaks the deadlock and the unit runs again).
      const meet = rendezvous(2, 100);
      const demote = (id: number) =>
        run(async () => {
          const admin = await users().findById(id);
          if (admin === null) throw new Error('the admin went missing');
          await meet.arrive();
          const others = await users().countActiveAdminsExcept(id);
          await users().update(admin.changeAccess({ role: 'user' }, others, at(50)));
        });
      const { values, errors } = await outcomes([demote(first.id), demote(second.id)]);
      expect(values).to.have.length(1);
      expect(errors).to.have.length(1);
      expect(
        errors[0],
        (errors[0] as Error).name +
          ' ' +
          (errors[0] as { code?: string }).code +
          ' ' +
          (errors[0] as Error).message,
      ).to.be.instanceOf(DomainError);
      expectDomainError(errors[0], 'conflict', 'Cannot demote or deactivate the last active admin');
      expect(await users().countActiveAdminsExcept(null)).to.equal(1);
    });
  });
});
