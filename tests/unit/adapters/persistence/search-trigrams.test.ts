import { expect } from 'chai';
import {
  likeTrigrams,
  SearchStatistics,
  SearchStatisticsCache,
  selectivePiece,
  type SearchStatisticsRow,
} from '../../../../src/adapters/persistence/mikro-orm/search-trigrams.js';

const sorted = (set: Set<string>) => [...set].sort();

describe('the trigrams of a LIKE pattern', () => {
  it('pads words but where the pattern’s % borders them, lower-cased, without repeats', () => {
    expect(sorted(likeTrigrams('User12345'))).to.deep.equal(
      ['use', 'ser', 'er1', 'r12', '123', '234', '345'].sort(),
    );
    // "ab" ends at "@": padded after; "cd" begins after it: padded before, not after.
    expect(sorted(likeTrigrams('xab@cdy'))).to.deep.equal(
      ['xab', 'ab ', '  c', ' cd', 'cdy'].sort(),
    );
    expect(sorted(likeTrigrams('aaaa'))).to.deep.equal(['aaa']);
  });

  it('has none for words too short to make three characters', () => {
    expect(likeTrigrams('ab').size).to.equal(0);
    // "a" makes "a " (too short); "b", after a separator, "  b".
    expect(sorted(likeTrigrams('a.b'))).to.deep.equal(['  b']);
    // "b" between two separators is padded to "  b ": two trigrams.
    expect(sorted(likeTrigrams('a.b.c'))).to.deep.equal(['  b', ' b ', '  c'].sort());
  });
});

describe('the selective piece of a search term', () => {
  const common = new Set(['use', 'ser', 'er1', '  b', ' be', 'ben', 'enc', 'nch', 'ch ']);

  it('is the longest part of the term without common trigrams', () => {
    expect(selectivePiece('user12345', common)).to.equal('r12345');
    expect(selectivePiece('USER12345', common)).to.equal('R12345');
    expect(selectivePiece('user12345@bench', common)).to.equal('r12345@');
  });

  it('is none for a term without common trigrams, or with nothing else', () => {
    expect(selectivePiece('zzzz', common)).to.equal(null);
    expect(selectivePiece('user1', common)).to.equal(null);
    expect(selectivePiece('user', new Set())).to.equal(null);
  });

  it('is printable ASCII, and not followed by anything else', () => {
    // Lower-casing beyond ASCII may depend on the next character (ICU's final sigma).
    expect(selectivePiece('user12345Σ', common)).to.equal('r1234');
    expect(selectivePiece('Σuser12345', common)).to.equal('r12345');
    expect(selectivePiece('useré', common)).to.equal(null);
  });

  it('holds none of the common trigrams and is part of the term, for any term', () => {
    const alphabet = ['u', 's', 'e', 'r', '1', '2', 'b', 'n', 'c', 'h', '.', '@', 'Σ', 'é'];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const term = Array.from(
        { length: 1 + (next() % 14) },
        () => alphabet[next() % alphabet.length],
      ).join('');
      const piece = selectivePiece(term, common);
      if (piece === null) continue;
      expect(term, term).to.include(piece);
      expect(
        [...likeTrigrams(piece)].filter((t) => common.has(t)),
        term,
      ).to.deep.equal([]);
      expect(likeTrigrams(piece).size, term).to.be.greaterThan(0);
    }
  });
});

describe('the search index statistics', () => {
  const rows: SearchStatisticsRow[] = [
    { kind: 't', value: 'use', share: 1 },
    { kind: 't', value: 'ser', share: 1 },
    ...Array.from({ length: 100 }, (_, i) => ({
      kind: 's' as const,
      value: `user${1000 + i * 7}\u001fuser${1000 + i * 7}@bench.example`,
      share: 0.01,
    })),
  ];
  const statistics = new SearchStatistics(rows);

  it('estimates the share of texts holding a term from the sampled texts', () => {
    expect(statistics.share('USER')).to.be.closeTo(1, 1e-9);
    expect(statistics.share('user1007')).to.be.closeTo(0.01, 1e-9);
    expect(statistics.share('USER100')).to.be.closeTo(0.02, 1e-9);
    expect(statistics.share('zzzz')).to.equal(0);
  });

  it('gives a piece for a rare term only: a term many texts hold is searched as it is', () => {
    expect(statistics.pieceOf('user123456')).to.equal('er123456');
    // user1007 is a sampled text: about one text in a hundred holds it.
    expect(statistics.pieceOf('user1007')).to.equal(null);
  });

  it('are read once while fresh, by concurrent searches together, and again when stale', async () => {
    let now = 0;
    let reads = 0;
    const cache = new SearchStatisticsCache(
      async () => {
        reads++;
        return rows;
      },
      1000,
      100,
      () => now,
    );
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(reads).to.equal(1);
    expect(a).to.equal(b);
    expect(a.common.has('use')).to.equal(true);
    now = 999;
    await cache.get();
    expect(reads).to.equal(1);
    now = 1000;
    await cache.get();
    expect(reads).to.equal(2);
  });

  it('keep the last statistics when a read fails, and try again sooner than when fresh', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const cache = new SearchStatisticsCache(
      async () => {
        reads++;
        if (fail) throw new Error('unreachable');
        return rows;
      },
      1000,
      100,
      () => now,
    );
    expect((await cache.get()).common.size).to.equal(2);
    fail = true;
    now = 5000;
    expect((await cache.get()).common.size).to.equal(2);
    expect(reads).to.equal(2);
    now = 5099;
    await cache.get();
    expect(reads).to.equal(2);
    fail = false;
    now = 5100;
    expect((await cache.get()).common.size).to.equal(2);
    expect(reads).to.equal(3);
    now = 6099;
    await cache.get();
    expect(reads).to.equal(3);
  });
});
