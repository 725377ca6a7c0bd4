import { expect } from 'chai';
import { FixedClock } from '../../../../src/adapters/clock/fixed-clock.js';
import { SystemClock } from '../../../../src/adapters/clock/system-clock.js';

describe('clocks', () => {
  it('SystemClock tells the time of the machine', () => {
    const before = Date.now();
    const now = new SystemClock().now().getTime();
    expect(now).to.be.within(before, Date.now());
  });

  it('FixedClock stands still until set or advanced', () => {
    const clock = new FixedClock('2026-03-01T00:00:00.000Z');
    expect(clock.now().toISOString()).to.equal('2026-03-01T00:00:00.000Z');
    expect(clock.now().toISOString()).to.equal('2026-03-01T00:00:00.000Z');
    clock.advance(1500);
    expect(clock.now().toISOString()).to.equal('2026-03-01T00:00:01.500Z');
    clock.set(new Date('2030-01-01T00:00:00.000Z'));
    expect(clock.now().toISOString()).to.equal('2030-01-01T00:00:00.000Z');
  });

  it('FixedClock hands out copies, so a caller cannot move it', () => {
    const clock = new FixedClock('2026-03-01T00:00:00.000Z');
    clock.now().setUTCFullYear(1999);
    expect(clock.now().toISOString()).to.equal('2026-03-01T00:00:00.000Z');
  });

  it('FixedClock refuses invalid dates and steps', () => {
    expect(() => new FixedClock('not a date')).to.throw(RangeError);
    expect(() => new FixedClock().advance(Number.NaN)).to.throw(RangeError);
  });
});
