import 'reflect-metadata';
import { expect } from 'chai';
import { container as root, inject, injectable } from 'tsyringe';
import {
  CommandBus,
  QueryBus,
  type CommandHandler,
  type QueryHandler,
} from '../../../src/application/bus.js';
import { HANDLER_RESOLVER } from '../../../src/application/ports/handler-resolver.js';
import { LOGGER } from '../../../src/application/ports/logger.js';
import { UNIT_OF_WORK } from '../../../src/application/ports/unit-of-work.js';
import {
  USER_REPOSITORY,
  type UserRepository,
} from '../../../src/application/ports/user-repository.js';
import { MemoryLogger } from '../../../src/adapters/logging/memory-logger.js';
import { createInMemoryPersistence } from '../../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import { aUser } from '../../support/builders.js';

class AddThenFail {
  constructor(
    readonly email: string,
    readonly fail: boolean,
  ) {}
}

@injectable()
class AddThenFailHandler implements CommandHandler<AddThenFail, number> {
  static instances = 0;
  constructor(@inject(USER_REPOSITORY) private readonly users: UserRepository) {
    AddThenFailHandler.instances += 1;
  }
  async execute({ email, fail }: AddThenFail): Promise<number> {
    const user = await this.users.add(aUser({ email, username: email.split('@')[0]! }));
    if (fail) throw new Error('failed after the write');
    return user.id;
  }
}

@injectable()
class AddOutsideTransactionHandler implements CommandHandler<AddThenFail, number> {
  static readonly transactional = false;
  constructor(@inject(USER_REPOSITORY) private readonly users: UserRepository) {}
  async execute({ email, fail }: AddThenFail): Promise<number> {
    const user = await this.users.add(aUser({ email, username: email.split('@')[0]! }));
    if (fail) throw new Error('failed after the write');
    return user.id;
  }
}

@injectable()
class FindHandler implements QueryHandler<string, boolean> {
  constructor(@inject(USER_REPOSITORY) private readonly users: UserRepository) {}
  async execute(login: string): Promise<boolean> {
    return (await this.users.findByLogin(login)) !== null;
  }
}

describe('application: command and query buses', () => {
  const persistence = createInMemoryPersistence();
  const logger = new MemoryLogger('debug');
  const c = root.createChildContainer();
  c.register(USER_REPOSITORY, { useValue: persistence.users });
  c.register(UNIT_OF_WORK, { useValue: persistence.unitOfWork });
  c.register(LOGGER, { useValue: logger });
  c.register(HANDLER_RESOLVER, {
    useValue: { resolve: (type: new (...args: never[]) => unknown) => c.resolve(type) },
  });
  const commands = c.resolve(CommandBus);
  const queries = c.resolve(QueryBus);

  it('runs a command in a unit of work: a failure after a write leaves nothing behind', async () => {
    let error: unknown;
    await commands
      .execute(AddThenFailHandler, new AddThenFail('rolled@example.com', true))
      .catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('failed after the write');
    expect(await queries.execute(FindHandler, 'rolled@example.com')).to.equal(false);
    const id = await commands.execute(
      AddThenFailHandler,
      new AddThenFail('kept@example.com', false),
    );
    expect(id).to.be.a('number');
    expect(await queries.execute(FindHandler, 'kept@example.com')).to.equal(true);
  });

  it('a handler marked transactional = false runs outside a unit of work', async () => {
    await commands
      .execute(AddOutsideTransactionHandler, new AddThenFail('notx@example.com', true))
      .catch(() => undefined);
    expect(await queries.execute(FindHandler, 'notx@example.com')).to.equal(true);
  });

  it('resolves each handler once and logs every message with its handler and duration', async () => {
    const before = AddThenFailHandler.instances;
    logger.clear();
    await commands.execute(AddThenFailHandler, new AddThenFail('once1@example.com', false));
    await commands.execute(AddThenFailHandler, new AddThenFail('once2@example.com', false));
    await queries.execute(FindHandler, 'once1@example.com');
    expect(AddThenFailHandler.instances - before).to.equal(0);
    const lines = logger.find('handler');
    expect(lines.map((l) => [l.fields['kind'], l.fields['handler']])).to.deep.equal([
      ['command', 'AddThenFailHandler'],
      ['command', 'AddThenFailHandler'],
      ['query', 'FindHandler'],
    ]);
    expect(lines.every((l) => typeof l.fields['duration_ms'] === 'number')).to.equal(true);
  });
});
