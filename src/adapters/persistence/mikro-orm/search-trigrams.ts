/**
 * The trigrams that most users' searched text holds, and the piece of a search term that avoids
 * them (decision record: a selective piece first).
 *
 * A GIN scan of `text ILIKE '%term%'` takes the candidates of the term's rarest trigram and, at
 * each one, reads every other trigram's posting list up to it before checking the row. A trigram
 * that nearly every row holds (`use` and `ser` of `user<N>`) has a posting list spread over the
 * whole index, and the candidates of a selective term are spread too: the scan decodes most of
 * that list. Searched as `text ILIKE '%piece%' AND text ILIKE '%term%'`, with `piece` a part of
 * the term holding none of those trigrams, the index scan takes the conditions in order and
 * reads the term's common trigrams only at the rows the piece already matched. Every row holding
 * the term holds the piece, so the second condition decides alone which rows match.
 *
 * Each row the index returns is checked against both conditions, so a term that many rows hold
 * is searched as it is: there the second check costs more than the index scan saves.
 */
import { sqlStatement } from './lean-sql.js';

/** Held by at least this share of the searched texts, a trigram is common. */
export const COMMON_SHARE = 0.1;

/** Held by less than this share of the sampled texts (by none of them), a term is rare. */
export const RARE_SHARE = 0.005;

/**
 * What the statistics ANALYZE keeps on the search index's expression say of the searched texts:
 * its most common values with their frequencies and the bounds of its histogram, which share what
 * is left (about a hundred texts sampled over the table). Rows of two kinds: `t`, a trigram held by
 * at least `$1` of the texts (`show_trgm` splits a text as the index does), with that share; `s`,
 * a sampled text lower-cased, with the share it stands for. Without statistics, no rows.
 */
export const SEARCH_STATISTICS = sqlStatement(`
  with s as (
    select st.most_common_vals::text::text[] as mcv, st.most_common_freqs as mcf,
           st.histogram_bounds::text::text[] as hist, st.null_frac
      from pg_stats st
     where st.schemaname = current_schema() and st.tablename = 'users_search_trgm_idx'
  ), samples as (
    select m.v, m.f::float8 as f from s, unnest(s.mcv, s.mcf) as m(v, f)
    union all
    select h.v, (1 - s.null_frac - coalesce((select sum(x) from unnest(s.mcf) as x), 0))::float8 / cardinality(s.hist)
      from s, unnest(s.hist) as h(v)
  )
  select 't' as kind, t.trigram as value, sum(samples.f)::float8 as share
    from samples, unnest(show_trgm(samples.v)) as t(trigram)
   group by t.trigram having sum(samples.f) >= ?
  union all
  select 's', lower(samples.v), samples.f from samples`);

export interface SearchStatisticsRow {
  kind: 't' | 's';
  value: string;
  share: number;
}

/**
 * The trigrams `pg_trgm` extracts from the LIKE pattern `%piece%`: the piece split into words at
 * characters other than letters and digits, each lower-cased and padded with two blanks before and
 * one after, except where the pattern's `%` borders it; every three consecutive characters of a
 * padded word of three or more. Exact for ASCII; beyond it, the database's locale decides what a
 * letter is and how it lower-cases, so the trigrams may differ (a matter of speed, not of matches).
 */
export function likeTrigrams(piece: string): Set<string> {
  const trigrams = new Set<string>();
  const words = piece.split(/([^\p{L}\p{N}]+)/u);
  words.forEach((word, i) => {
    if (word === '' || i % 2 === 1) return;
    const padded = [
      ...`${i === 0 ? '' : '  '}${word.toLowerCase()}${i === words.length - 1 ? '' : ' '}`,
    ];
    for (let at = 0; at + 3 <= padded.length; at++) trigrams.add(padded.slice(at, at + 3).join(''));
  });
  return trigrams;
}

const holdsCommon = (piece: string, common: ReadonlySet<string>): boolean =>
  [...likeTrigrams(piece)].some((t) => common.has(t));

const ASCII = /^[\u0020-\u007e]$/;

/**
 * The longest piece of `term` (by its trigrams) holding none of `common` and at least one
 * trigram, or null when the term holds none of them (it is selective as it is) or no such piece
 * exists (every trigram of it is common: it is a broad term).
 *
 * A piece is printable ASCII, and the character after it, if any, is too: lower-casing is then
 * character by character on any database (ICU lower-cases `Σ` and, in some languages, `I` by
 * what follows), so a text holding the term case-insensitively holds the piece.
 */
export function selectivePiece(term: string, common: ReadonlySet<string>): string | null {
  if (common.size === 0) return null;
  if (!holdsCommon(term, common)) return null;
  const chars = [...term];
  let best: { piece: string; trigrams: number } | null = null;
  // Runs of printable ASCII; a run that a character outside it follows ends one before it.
  for (let start = 0; start < chars.length; ) {
    if (!ASCII.test(chars[start]!)) {
      start++;
      continue;
    }
    let end = start;
    while (end < chars.length && ASCII.test(chars[end]!)) end++;
    const run = chars.slice(start, end < chars.length ? end - 1 : end).join('');
    // Pieces of a piece without common trigrams have none either: for each first character,
    // extend the last piece found as far as it stays free of them.
    let last = 0;
    for (let from = 0; from < run.length; from++) {
      last = Math.max(last, from);
      while (last < run.length && !holdsCommon(run.slice(from, last + 1), common)) last++;
      const piece = run.slice(from, last);
      const trigrams = likeTrigrams(piece).size;
      if (trigrams > 0 && (best === null || trigrams > best.trigrams)) best = { piece, trigrams };
    }
    start = end;
  }
  if (best === null || best.piece === term) return null;
  return best.piece;
}

/** The piece a term is searched with first, or null to search it as it is (see `searchCondition`). */
export interface SearchPieces {
  pieceOf(term: string): string | null;
}

/** What the search index's statistics say: the common trigrams, and the sampled texts. */
export class SearchStatistics implements SearchPieces {
  readonly common: ReadonlySet<string>;
  private readonly samples: ReadonlyArray<{ text: string; share: number }>;

  constructor(rows: readonly SearchStatisticsRow[]) {
    this.common = new Set(rows.filter((r) => r.kind === 't').map((r) => r.value));
    this.samples = rows
      .filter((r) => r.kind === 's')
      .map((r) => ({ text: r.value, share: Number(r.share) }));
  }

  /** The share of the texts holding `term`, case-insensitively, as the samples tell it. */
  share(term: string): number {
    const lower = term.toLowerCase();
    return this.samples.reduce((sum, s) => (s.text.includes(lower) ? sum + s.share : sum), 0);
  }

  /** A selective piece of a rare term holding common trigrams (`selectivePiece`); otherwise null. */
  pieceOf(term: string): string | null {
    const piece = selectivePiece(term, this.common);
    return piece !== null && this.share(term) < RARE_SHARE ? piece : null;
  }
}

/**
 * The statistics as last read, read again when `ttlMs` have passed (they change only when ANALYZE
 * runs): the search that finds them stale waits for the read (one short statement), as do searches
 * arriving meanwhile. A read that fails leaves the last statistics, or none, in use, and is tried
 * again after `retryMs` (the database may have been away for a moment): they only make searches
 * cheaper, never change what they find.
 */
export class SearchStatisticsCache {
  private statistics = new SearchStatistics([]);
  private staleAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<SearchStatistics> | null = null;

  constructor(
    private readonly read: () => Promise<readonly SearchStatisticsRow[]>,
    private readonly ttlMs = 10 * 60_000,
    private readonly retryMs = 30_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(): Promise<SearchStatistics> {
    if (this.reading !== null) return this.reading;
    if (this.now() < this.staleAt) return Promise.resolve(this.statistics);
    this.reading = this.read().then(
      (rows) => {
        this.statistics = new SearchStatistics(rows);
        this.staleAt = this.now() + this.ttlMs;
        return this.statistics;
      },
      () => {
        this.staleAt = this.now() + this.retryMs;
        return this.statistics;
      },
    );
    void this.reading.finally(() => {
      this.reading = null;
    });
    return this.reading;
  }
}
