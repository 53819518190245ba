// SQLite through Node's built-in node:sqlite (no native addon). Prodigy may hold the same file: writes take
// the lock up front with BEGIN IMMEDIATE, wait for Prodigy with async pauses (never inside the driver), and stay short.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';

import { DatabaseFileMissingError, ProdigyConnectionError, ProdigyError, ProdigyInputError } from '../errors';
import {
	ascendingIds,
	BoundedCache,
	DatabaseError,
	multiRowInsert,
	sleep,
	type Dialect,
	type Executor,
	type ReservedExecutor,
	type Row,
	type SqlValue,
	type TransactionOptions,
} from './dialect';
import { PRODIGY_TABLES } from './schema';

export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

/**
 * The SQLite file a credential's path names. Prodigy's own default is written `~/.prodigy/prodigy.db`, but no shell
 * expands `~` between a credential and node:sqlite (which would make a folder named `~`), so it is expanded here,
 * against the home of the process that opens the file. `~other/…` and relative paths are refused: where they point
 * depends on which user and folder n8n runs as, and the credential must mean the same file wherever it runs.
 */
export function sqliteFilePath(path: string, home: string = homedir()): string {
	const text = path.trim();
	if (text === ':memory:') return text;
	if (text === '~' || text.startsWith('~/')) return join(home, text.slice(1));
	if (text.startsWith('~')) {
		throw new ProdigyInputError(`The SQLite file path "${text}" names another user's home, which is not supported`, {
			hint: `Give the absolute path instead, e.g. ${join(home, '.prodigy', 'prodigy.db')}.`,
		});
	}
	if (!isAbsolute(text)) {
		throw new ProdigyInputError(`The SQLite file path "${text}" is not absolute`, {
			hint: `Give the full path as the n8n server sees it, e.g. ${join(home, '.prodigy', 'prodigy.db')} (~/ is expanded to ${home}).`,
		});
	}
	return text;
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

interface SqliteDriverError {
	errcode: number;
	message: string;
}

// Duck-typed: errors raised inside Node's own modules may come from another realm (jest's VM, for one).
function isDriverError(error: unknown): error is SqliteDriverError {
	const candidate = error as Partial<SqliteDriverError> | null;
	return typeof candidate === 'object' && candidate !== null && typeof candidate.errcode === 'number' && typeof candidate.message === 'string';
}

/** node:sqlite binds no booleans: Prodigy's `session` column holds 0 / 1. */
function bindable(params: readonly SqlValue[]): SQLInputValue[] {
	return params.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value));
}

/** Runs async work strictly one piece after another. */
class TurnTaking {
	private tail: Promise<unknown> = Promise.resolve();
	run<T>(work: () => Promise<T>): Promise<T> {
		const result = this.tail.then(work, work);
		this.tail = result.then(
			() => undefined,
			() => undefined,
		);
		return result;
	}
}

/**
 * Turns per database file, shared by every store of this process: stores of one process on one file take turns
 * here instead of polling each other's file lock, so lock waits are only ever for other processes (Prodigy).
 * Holds no data, so it is harmless in n8n's queue mode, where each process has its own.
 */
const turnsByFile = new Map<string, TurnTaking>();

function turnsFor(path: string): TurnTaking {
	// An in-memory database is private to its connection: nothing to share.
	if (path === ':memory:' || path === '') return new TurnTaking();
	const key = resolve(path);
	let turns = turnsByFile.get(key);
	if (!turns) {
		turns = new TurnTaking();
		turnsByFile.set(key, turns);
	}
	return turns;
}

export class SqliteDialect implements Dialect {
	readonly type = 'sqlite' as const;
	// SQLITE_MAX_VARIABLE_NUMBER's default since SQLite 3.32 (Node bundles a newer SQLite).
	readonly maxParams = 32766;
	// BEGIN IMMEDIATE already holds the database's write lock for the whole transaction.
	readonly forUpdate = '';

	private db: DatabaseSync | undefined;
	private readonly statements = new BoundedCache<StatementSync>(200);
	private readonly turns: TurnTaking;
	private readonly direct: Executor;

	constructor(
		private readonly path: string,
		private readonly busyTimeoutMs: number = DEFAULT_BUSY_TIMEOUT_MS,
	) {
		this.direct = this.executor();
		this.turns = turnsFor(path);
	}

	bool(value: boolean): SqlValue {
		return value ? 1 : 0;
	}

	blob(text: string): SqlValue {
		return Buffer.from(text, 'utf8');
	}

	query(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
		return this.turns.run(() => this.waitingForLocks(() => this.direct.query(sql, params)));
	}

	queryPage(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
		// SQLite's link_dataset_id index carries the rowid (= id): (dataset_id, id) is one ordered range already.
		return this.query(sql, params);
	}

	run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
		return this.turns.run(() => this.waitingForLocks(() => this.direct.run(sql, params)));
	}

	insertReturningIds(table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<number[]> {
		return this.turns.run(() => this.waitingForLocks(() => this.direct.insertReturningIds(table, columns, rows)));
	}

	async existingTables(executor: Executor, options: { creating?: boolean } = {}): Promise<Set<string>> {
		// Opening a missing file creates it: a read (Get, Export, a trigger's poll) on a mistyped path would leave an
		// empty prodigy.db there and report an empty database. Only a write creates the file.
		if (!this.db?.isOpen && this.path !== ':memory:' && !existsSync(this.path)) {
			if (options.creating) return new Set();
			const folder = dirname(this.path);
			const where = "it must be the n8n server's path of Prodigy's prodigy.db (Prodigy's default is ~/.prodigy/prodigy.db)";
			throw new DatabaseFileMissingError(
				`No Prodigy database at ${this.path}: the file does not exist${existsSync(folder) ? '' : `, nor its folder ${folder}`}`,
				existsSync(folder)
					? `Check the SQLite file path: ${where}. To start a new database there, run a write first (e.g. Create Dataset or Add): it creates the file, as Prodigy does.`
					: `Check the SQLite file path: ${where}. Its folder must exist for a write to start a new database there.`,
			);
		}
		const rows = await executor.query(
			`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${PRODIGY_TABLES.map(() => '?').join(', ')})`,
			[...PRODIGY_TABLES],
		);
		return new Set(rows.map((row) => String(row.name)));
	}

	createTables(statements: readonly string[]): Promise<void> {
		return this.transaction({ write: true }, async () => {
			const db = this.connection();
			for (const statement of statements) this.guard(() => db.exec(statement));
		});
	}

	async contentLimit(): Promise<number | null> {
		// SQLITE_MAX_LENGTH (1 GB) is far beyond any task; Prodigy itself sets no limit here.
		return null;
	}

	async statementByteBudget(): Promise<number> {
		return Number.POSITIVE_INFINITY;
	}

	transaction<T>(options: TransactionOptions, work: (tx: Executor) => Promise<T>): Promise<T> {
		// A lock met anywhere (BEGIN, a statement, COMMIT) rolls the attempt back and runs it again after a pause.
		return this.turns.run(() => this.waitingForLocks(() => this.attempt(options, work)));
	}

	/**
	 * Runs `work` again while another process holds the file's lock, pausing without blocking in between, until
	 * busyTimeoutMs has passed. node:sqlite's own busy timeout would wait inside the driver and freeze the whole
	 * n8n process (every timer, webhook and execution) for that long, so the connection's is 0.
	 */
	private async waitingForLocks<T>(work: () => Promise<T>): Promise<T> {
		const deadline = Date.now() + this.busyTimeoutMs;
		for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
			try {
				return await work();
			} catch (error) {
				const locked = error instanceof DatabaseError && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED');
				if (!locked || Date.now() + pause > deadline) throw error;
			}
			await sleep(pause);
		}
	}

	private async attempt<T>(options: TransactionOptions, work: (tx: Executor) => Promise<T>): Promise<T> {
		const db = this.connection();
		this.guard(() => db.exec(options.write ? 'BEGIN IMMEDIATE' : 'BEGIN'));
		let result: T;
		try {
			result = await work(this.direct);
		} catch (error) {
			if (db.isTransaction) db.exec('ROLLBACK');
			throw error;
		}
		try {
			this.guard(() => db.exec('COMMIT'));
		} catch (error) {
			// A COMMIT refused as busy leaves the transaction open; the next operation must not inherit it.
			if (db.isTransaction) db.exec('ROLLBACK');
			throw error;
		}
		return result;
	}

	async reserve(): Promise<ReservedExecutor> {
		// One connection per store already: each statement still takes its turn, so other work on the file goes on
		// between them.
		return {
			query: (sql, params) => this.query(sql, params),
			queryPage: (sql, params) => this.queryPage(sql, params),
			run: (sql, params) => this.run(sql, params),
			insertReturningIds: (table, columns, rows) => this.insertReturningIds(table, columns, rows),
			release: async () => undefined,
		};
	}

	async close(): Promise<void> {
		await this.turns.run(async () => {
			this.statements.clear();
			const db = this.db;
			this.db = undefined;
			if (db?.isOpen) db.close();
		});
	}

	/** Statements on the connection itself: callers hold the turn (or are inside a transaction that holds it). */
	private executor(): Executor {
		return {
			query: async (sql, params = []) => {
				const statement = this.prepare(sql);
				return this.guard(() => statement.all(...bindable(params)) as Row[]);
			},
			queryPage: (sql, params = []) => this.direct.query(sql, params),
			run: async (sql, params = []) => {
				const statement = this.prepare(sql);
				return Number(this.guard(() => statement.run(...bindable(params))).changes);
			},
			insertReturningIds: async (table, columns, rows) => {
				if (rows.length === 0) return [];
				const statement = this.prepare(`${multiRowInsert(table, columns, rows.length)} RETURNING "id"`);
				return ascendingIds(this.guard(() => statement.all(...bindable(rows.flat())) as Row[]));
			},
		};
	}

	private prepare(sql: string): StatementSync {
		const db = this.connection();
		return this.statements.get(sql, () => this.guard(() => db.prepare(sql)));
	}

	private connection(): DatabaseSync {
		if (this.db?.isOpen) return this.db;
		try {
			this.db = new DatabaseSync(this.path, { timeout: 0 });
		} catch (error) {
			throw this.translate(error);
		}
		return this.db;
	}

	private guard<T>(work: () => T): T {
		try {
			return work();
		} catch (error) {
			throw this.translate(error);
		}
	}

	private translate(error: unknown): Error {
		if (error instanceof ProdigyError || !isDriverError(error)) return error as Error;
		const code = error.errcode;
		const primary = code & 0xff;
		if (primary === SQLITE_CANTOPEN || primary === SQLITE_NOTADB) {
			return new ProdigyConnectionError(
				`Could not open the SQLite database at ${this.path}: ${error.message}`,
				"Check the file path: its folder must exist and be writable, and the file must be a SQLite database (Prodigy's prodigy.db).",
			);
		}
		if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) {
			return new DatabaseError(
				`The SQLite database at ${this.path} stayed locked for ${this.busyTimeoutMs} ms: ${error.message}`,
				`SQLITE_${primary === SQLITE_BUSY ? 'BUSY' : 'LOCKED'}`,
				false,
				'Another process (Prodigy?) is writing to the file. Run this again when it has finished (library callers can wait longer with the store option busyTimeoutMs).',
			);
		}
		return new DatabaseError(
			`SQLite error on ${this.path}: ${error.message}`,
			String(code),
			code === SQLITE_CONSTRAINT_UNIQUE,
		);
	}
}
