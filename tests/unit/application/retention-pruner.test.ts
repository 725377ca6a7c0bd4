import { expect } from 'chai';
import { RetentionPruner } from '../../../src/application/retention-pruner.js';
import type { AuditLog, NewAuditEvent } from '../../../src/application/ports/audit-log.js';
import { FixedClock } from '../../../src/adapters/clock/fixed-clock.js';
import { MemoryLogger } from '../../../src/adapters/logging/memory-logger.js';
import { createInMemoryPersistence } from '../../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import { latch } from '../../contract/helpers.js';

const DAY = 86_400_000;
const now = new Date('2027-01-01T00:00:00.000Z');

const anEventDaysAgo = (days: number): NewAuditEvent => ({
  occurredAt: new Date(now.getTime() - days * DAY),
  action: 'user.updated',
  actorId: 1,
  subjectType: 'user',
  subjectId: '1',
  requestId: `days-${days}`,
  ip: null,
  changes: null,
});

describe('RetentionPruner', () => {
  it('deletes every event older than the retention, batch by batch, and keeps the rest', async () => {
    const log = createInMemoryPersistence().auditLog;
    await log.append([400, 366, 365.5, 365, 364, 10, 0].map(anEventDaysAgo));
    const batches: number[] = [];
    const counting: AuditLog = {
      ...log,
      pruneBatch: async (before, limit) => {
        const n = await log.pruneBatch(before, limit);
        batches.push(n);
        return n;
      },
    };
    const logger = new MemoryLogger();
    const pruner = new RetentionPruner(counting, new FixedClock(now), logger, {
      name: 'audit',
      retentionDays: 365,
      batchSize: 2,
    });
    expect(await pruner.pruneOnce()).to.equal(3);
    expect(batches).to.deep.equal([2, 1]);
    const left = await log.list({ filter: {}, page: 1, pageSize: 100 });
    expect(left.items.map((e) => e.requestId)).to.deep.equal([
      'days-0',
      'days-10',
      'days-364',
      'days-365',
    ]);
    expect(logger.entries.some((e) => e.fields?.['event'] === 'audit_pruned')).to.equal(true);
  });

  it('runs when started, and stop waits for the batch in progress and schedules nothing more', async () => {
    const log = createInMemoryPersistence().auditLog;
    const entered = latch();
    const release = latch();
    let calls = 0;
    const slow: AuditLog = {
      ...log,
      pruneBatch: async () => {
        calls += 1;
        entered.open();
        await release.promise;
        return 0;
      },
    };
    const pruner = new RetentionPruner(slow, new FixedClock(now), new MemoryLogger(), {
      name: 'audit',
      retentionDays: 1,
      intervalMs: 5,
    });
    pruner.start();
    await entered.promise;
    let stopped = false;
    const stopping = pruner.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).to.equal(false);
    release.open();
    await stopping;
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls).to.equal(after);
  });

  it('logs a failed run instead of throwing, and tries again at the next interval', async () => {
    let calls = 0;
    const second = latch();
    const failing = {
      pruneBatch: async () => {
        calls += 1;
        if (calls === 2) second.open();
        throw new Error('database down');
      },
    } as unknown as AuditLog;
    const logger = new MemoryLogger();
    const pruner = new RetentionPruner(failing, new FixedClock(now), logger, {
      name: 'audit',
      retentionDays: 1,
      intervalMs: 5,
    });
    pruner.start();
    await second.promise;
    await pruner.stop();
    expect(calls).to.be.at.least(2);
    expect(logger.entries.some((e) => e.fields?.['event'] === 'audit_prune_failed')).to.equal(true);
  });
});
