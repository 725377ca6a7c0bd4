import { AsyncLocalStorage } from 'node:async_hooks';
import { Mutex } from '../mutex.js';

/** Every stored row has a numeric id given by its table's sequence. */
export interface StoredRow {
  readonly id: number;
}

/** The shape of a table: its name and its unique constraints. */
export interface TableSchema<R extends StoredRow> {
  readonly name: string;
  /**
   * Unique constraints by name, each a function giving the key of a row; two rows with equal keys
   * cannot both be stored. Checked in the order given, as PostgreSQL checks indexes in the order
   * they were created, so a row violating two constraints reports the first.
   */
  readonly unique: Readonly<Record<string, (row: R) => string>>;
}

export const defineTable = <R extends StoredRow>(schema: TableSchema<R>): TableSchema<R> => schema;

/** Thrown when a write would store two rows with equal keys under a unique constraint. */
export class UniqueViolation extends Error {
  constructor(
    readonly table: string,
    readonly constraint: string,
  ) {
    super(`duplicate key value violates unique constraint "${constraint}"`);
    this.name = 'UniqueViolation';
  }
}

type TableRows = ReadonlyMap<number, StoredRow>;
/** One consistent state of every table. Never mutated once built: changes build a new one. */
type Tables = ReadonlyMap<string, TableRows>;

const NO_ROWS: TableRows = new Map();

/** The working state of one atomic change: copies a table on its first write (copy-on-write). */
export class TableWriter {
  private readonly copies = new Map<string, Map<number, StoredRow>>();

  constructor(
    private readonly base: Tables,
    private readonly nextId: (table: string) => number,
  ) {}

  rows<R extends StoredRow>(table: TableSchema<R>): ReadonlyMap<number, R> {
    return (this.copies.get(table.name) ?? this.base.get(table.name) ?? NO_ROWS) as ReadonlyMap<
      number,
      R
    >;
  }

  /** Stores a new row under the next id of the table's sequence and returns it. */
  insert<R extends StoredRow>(table: TableSchema<R>, values: Omit<R, 'id'>): R {
    // Like PostgreSQL, the id is drawn before the constraints are checked: a failed insert uses it up.
    const row = Object.freeze({ ...values, id: this.nextId(table.name) }) as R;
    this.checkUnique(table, row);
    this.writable(table).set(row.id, row);
    return row;
  }

  /** Replaces the row with the same id; false when there is none. */
  update<R extends StoredRow>(table: TableSchema<R>, row: R): boolean {
    if (!this.rows(table).has(row.id)) return false;
    const frozen = Object.freeze({ ...row });
    this.checkUnique(table, frozen);
    this.writable(table).set(row.id, frozen);
    return true;
  }

  /** Deletes the row with that id; false when there is none. */
  delete<R extends StoredRow>(table: TableSchema<R>, id: number): boolean {
    if (!this.rows(table).has(id)) return false;
    this.writable(table).delete(id);
    return true;
  }

  /** Deletes every row that matches; returns how many went. */
  deleteWhere<R extends StoredRow>(table: TableSchema<R>, matches: (row: R) => boolean): number {
    const doomed = [...this.rows(table).values()].filter(matches).map((row) => row.id);
    for (const id of doomed) this.writable(table).delete(id);
    return doomed.length;
  }

  /** The tables with this change applied. */
  result(): Tables {
    if (this.copies.size === 0) return this.base;
    const next = new Map(this.base);
    for (const [name, rows] of this.copies) next.set(name, rows);
    return next;
  }

  private writable<R extends StoredRow>(table: TableSchema<R>): Map<number, StoredRow> {
    let copy = this.copies.get(table.name);
    if (copy === undefined) {
      copy = new Map(this.base.get(table.name) ?? NO_ROWS);
      this.copies.set(table.name, copy);
    }
    return copy;
  }

  private checkUnique<R extends StoredRow>(table: TableSchema<R>, row: R): void {
    for (const [constraint, keyOf] of Object.entries(table.unique)) {
      const key = keyOf(row);
      for (const other of this.rows(table).values()) {
        if (other.id !== row.id && keyOf(other) === key)
          throw new UniqueViolation(table.name, constraint);
      }
    }
  }
}

/** A unit of work in progress: the state it sees and changes, private until it commits. */
interface Unit {
  tables: Tables;
  ended: boolean;
}

/**
 * An in-process database of tables of plain immutable rows, with transactions that behave as
 * PostgreSQL's do for this service:
 *
 * - A transaction (`transaction`) works on its own copy of the tables, kept in AsyncLocalStorage
 *   so every call in its async flow sees it. Commit swaps that copy in as the committed state; a
 *   thrown error drops it, so nothing of it is ever seen.
 * - Writers are serialized by one lock, held by a transaction from start to end, which stands in
 *   for PostgreSQL's row locks: what a unit read cannot change under it before it ends.
 * - Outside a transaction, reads see the committed state only, and each write is its own
 *   transaction (autocommit), waiting for the lock like any writer.
 * - Inside a transaction each write is atomic too (all of it or none of it, like a statement in
 *   a savepoint), so a failed write leaves the transaction usable.
 * - Ids come from per-table sequences that are never rolled back, so no id is ever reused.
 */
export class InMemoryDatabase {
  private committed: Tables = new Map();
  private readonly sequences = new Map<string, number>();
  private readonly writers = new Mutex();
  private readonly units = new AsyncLocalStorage<Unit>();

  /** The rows of a table as the caller sees them: its unit's state inside one, committed state outside. */
  rows<R extends StoredRow>(table: TableSchema<R>): ReadonlyMap<number, R> {
    return (this.visible().get(table.name) ?? NO_ROWS) as ReadonlyMap<number, R>;
  }

  get inTransaction(): boolean {
    return this.units.getStore() !== undefined;
  }

  /** Applies one atomic change: within the caller's unit when there is one, otherwise committed at once. */
  async write<T>(change: (writer: TableWriter) => T): Promise<T> {
    const unit = this.currentUnit();
    if (unit !== undefined) return this.applyTo(unit, change);
    return this.writers.runExclusive(() => {
      const writer = new TableWriter(this.committed, this.draw);
      const result = change(writer);
      this.committed = writer.result();
      return result;
    });
  }

  /** Runs `work` as one transaction; a call inside a transaction joins it. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.currentUnit() !== undefined) return work();
    const release = await this.writers.lock();
    const unit: Unit = { tables: this.committed, ended: false };
    try {
      const result = await this.units.run(unit, work);
      this.committed = unit.tables;
      return result;
    } finally {
      unit.ended = true;
      release();
    }
  }

  /** Empties every table and restarts the sequences. */
  async clear(): Promise<void> {
    await this.writers.runExclusive(() => {
      this.committed = new Map();
      this.sequences.clear();
    });
  }

  private readonly draw = (table: string): number => {
    const next = (this.sequences.get(table) ?? 0) + 1;
    this.sequences.set(table, next);
    return next;
  };

  private applyTo<T>(unit: Unit, change: (writer: TableWriter) => T): T {
    const writer = new TableWriter(unit.tables, this.draw);
    const result = change(writer);
    unit.tables = writer.result();
    return result;
  }

  private visible(): Tables {
    return this.currentUnit()?.tables ?? this.committed;
  }

  private currentUnit(): Unit | undefined {
    const unit = this.units.getStore();
    // A straggling call after its unit ended must not read or write a state that is gone.
    if (unit?.ended === true)
      throw new Error('The unit of work this call belongs to has already ended');
    return unit;
  }
}
