import { expect } from 'chai';
import type { Clock } from '../../src/application/ports/clock.js';
import { FixedClock } from '../../src/adapters/clock/fixed-clock.js';
import { SystemClock } from '../../src/adapters/clock/system-clock.js';

interface Subject {
  readonly name: string;
  make(): Clock;
}

const subjects: readonly Subject[] = [
  { name: 'SystemClock', make: () => new SystemClock() },
  { name: 'FixedClock', make: () => new FixedClock('2026-03-01T12:00:00.000Z') },
];

for (const subject of subjects) {
  describe(`Clock contract: ${subject.name}`, () => {
    it('tells the time as a valid Date', () => {
      const now = subject.make().now();
      expect(now).to.be.instanceOf(Date);
      expect(Number.isNaN(now.getTime())).to.equal(false);
      // A plausible present: not the epoch, not a date centuries away.
      expect(now.getUTCFullYear()).to.be.within(2020, 2200);
    });

    it('never goes backwards between successive calls', async () => {
      const clock = subject.make();
      let previous = clock.now().getTime();
      for (let i = 0; i < 2000; i += 1) {
        if (i % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        const current = clock.now().getTime();
        expect(current, `call ${i}`).to.be.at.least(previous);
        previous = current;
      }
    });

    it('hands out a new Date each time, so a caller cannot move the clock', () => {
      const clock = subject.make();
      const first = clock.now();
      const second = clock.now();
      expect(second).to.not.equal(first);
      const before = second.getTime();
      first.setUTCFullYear(1999);
      second.setTime(0);
      const third = clock.now();
      expect(third.getUTCFullYear()).to.not.equal(1999);
      expect(third.getTime()).to.be.at.least(before);
    });
  });
}
