// What differs between Prodigy's three backends, and nothing else: the driver call, placeholders and identifier
// quotes, how inserted ids come back, how values are encoded, transactions and locks. Every rule about Prodigy's
// data lives once in store.ts, which writes its SQL in one portable form that the dialect translates:
// `?` placeholders and "double-quoted" identifiers.
import { CommitOutcomeUnknownError, ProdigyConnectionError, ProdigyInputError } from '../errors';
import type { BackendType } from './types';

export type Row = Record<string, unknown>;
export type SqlValue = string | number | boolean | null | Buffer;

/** Something that runs statements: the autocommit connection or an open transaction. */
export interface Executor {
	/** Rows of a statement written in the portable form (`?`, "identifiers"). */
	query(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
	/**
	 * Rows of a keyset page (`… WHERE id > ? ORDER BY id LIMIT ?`), read by walking the index in ORDER BY order
	 * from the last id seen, never by collecting every match and sorting it: a page must cost what it returns,
	 * not what the dataset holds.
	 */
	queryPage(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
	/** Rows affected by a statement written in the portable form. */
	run(sql: string, params?: readonly SqlValue[]): Promise<number>;
	/**
	 * One multi-row INSERT (`rows` as one statement, the caller keeps it within maxParams and the statement byte
	 * budget); returns the generated ids in the order of `rows`.
	 */
	insertReturningIds(table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<number[]>;
}

/** One connection kept for a series of statements that share per-connection state (temporary tables). */
export interface ReservedExecutor extends Executor {
	/** Gives the connection back; `failed` says a statement on it failed (a broken connection is not reused). */
	release(failed?: unknown): Promise<void>;
}

export interface TransactionOptions {
	/** A write transaction: SQLite takes the write lock up front (BEGIN IMMEDIATE) instead of failing late. */
	write: boolean;
}

export interface Dialect extends Executor {
	readonly type: BackendType;
	/** Bound parameters allowed in one statement. */
	readonly maxParams: number;
	/** Appended to a SELECT that must lock its rows until commit ('' where the transaction already holds a lock). */
	readonly forUpdate: string;
	/** The value to bind for a BOOLEAN / BOOL / INTEGER 0-1 column. */
	bool(value: boolean): SqlValue;
	/** The value to bind for a BLOB / BYTEA column holding UTF-8 text. */
	blob(text: string): SqlValue;
	/**
	 * Names of the tables of Prodigy's schema present in the database. A SQLite file that does not exist is an error
	 * (a read must not leave an empty prodigy.db at a mistyped path) unless `creating`: a write about to create the
	 * schema finds no tables, and creates the file as Prodigy does on first connect.
	 */
	existingTables(executor: Executor, options?: { creating?: boolean }): Promise<Set<string>>;
	/** Runs DDL (statements in the backend's own syntax, not translated). */
	createTables(statements: readonly string[]): Promise<void>;
	/** Bytes the `example.content` column holds, as the existing column is declared; null when unbounded. */
	contentLimit(executor: Executor): Promise<number | null>;
	/** Bytes of BLOB data one statement may carry (packet limits); Infinity when unbounded. */
	statementByteBudget(executor: Executor): Promise<number>;
	transaction<T>(options: TransactionOptions, work: (tx: Executor) => Promise<T>): Promise<T>;
	/**
	 * One connection outside any transaction, for reads that keep a temporary table between statements: each
	 * statement commits on its own, so no lock or snapshot is held between them (Prodigy keeps writing meanwhile).
	 */
	reserve(): Promise<ReservedExecutor>;
	close(): Promise<void>;
}

/** A statement the database refused. Never carries the password or the bound values. */
export class DatabaseError extends ProdigyConnectionError {
	constructor(
		message: string,
		readonly code: string | undefined,
		/** A unique index refused the row (in Prodigy's schema only `dataset_name` is unique). */
		readonly uniqueViolation: boolean,
		hint?: string,
		/** A deadlock or serialization failure: the whole transaction may simply be run again. */
		readonly retryable = false,
	) {
		super(message, hint);
	}
}

/** Removes the password from a driver message, in case a driver ever echoes its connection settings. */
export function scrubSecret(message: string, secret: string | undefined): string {
	if (secret === undefined || secret.length < 3) return message;
	return message.split(secret).join('***');
}

/**
 * Whether a credential value other than the password (user, database) may be shown in a message: a plain name of
 * letters, digits and `_ . - $ @ +` (`@` for cloud user names such as `admin@server`), at most 128 characters.
 * Anything else may be a connection URL or a `key=value` string with a password inside, typed into the wrong
 * field, and is never echoed.
 */
export function isPlainSetting(value: string): boolean {
	return /^[\p{L}\p{N}_.$@+-]{0,128}$/u.test(value);
}

/** A credential value as a message may show it: `"prodigy"`, or a placeholder when it is not a plain name. */
export function shownSetting(value: string): string {
	return isPlainSetting(value) ? `"${value}"` : '(not shown: more than a plain name)';
}

// The parts of a connection string that carry a secret: a URL's `user:password@`, and `password=…` / `pwd=…` in a
// libpq string (`host=db password=…`) or a URL's query (`?password=…`).
const URL_USERINFO = /(\/\/)[^/?#\s]*@/g;
const PASSWORD_PAIR = /\b(password|passwd|pwd|secret|token)(\s*=\s*)("[^"]*"|'[^']*'|[^\s&;,)]+)/gi;

/**
 * A message with every credential value that could hold a secret blanked out: the password, any user / database /
 * host that is not a plain name (the driver may repeat them), and whatever looks like a URL's `user:password@` or a
 * `password=…` pair. The last line before a message leaves the store or the node.
 */
export function scrubSecrets(
	message: string,
	settings: { password?: string; user?: string; database?: string; host?: string; others?: readonly string[] },
): string {
	let text = scrubSecret(message, settings.password);
	for (const value of [settings.user, settings.database, settings.host, ...(settings.others ?? [])]) {
		if (value !== undefined && value !== '' && !isPlainSetting(value)) text = text.split(value).join('***');
	}
	return text.replace(URL_USERINFO, '$1***@').replace(PASSWORD_PAIR, '$1$2***');
}

/**
 * A host as it may be shown in a message: a connection URL typed into Host (`postgres://user:secret@db:5432/x`)
 * loses its user and password. The credential refuses such hosts; this is the last line for library callers.
 */
export function safeHost(host: string): string {
	// A password may hold "@" or "/": everything up to the last "@" goes.
	const at = host.lastIndexOf('@');
	return at === -1 ? host : `***@${host.slice(at + 1)}`;
}

/** A host name, an IPv4 / IPv6 address (IPv6 optionally in brackets, with a %zone), or a socket folder (PostgreSQL). */
const PLAIN_HOST = /^(?:[\p{L}\p{N}._-]+|\[?[0-9A-Fa-f:.]+(?:%[\w.-]+)?\]?|\/[\w./-]*)$/u;

/**
 * Refuses a Host that is more than a host name or address: a connection URL, a libpq string (`host=db
 * password=…`), a host with options (`db?password=…`). It would reach every connection error, password included.
 * The message never repeats the value.
 */
export function checkHost(host: string): void {
	if (host.includes('@') || /^[a-z][a-z0-9+.-]*:\/\//i.test(host.trim())) {
		throw new ProdigyInputError('Host looks like a connection URL; it must be only a host name or IP address', {
			hint: 'Put the host name (e.g. db.example.com) in Host and fill Port, Database, User and Password in their own fields.',
		});
	}
	if (!PLAIN_HOST.test(host)) {
		throw new ProdigyInputError('Host must be only a host name or IP address; it holds more (spaces, "=", "?" or other signs)', {
			hint: 'Put the host name (e.g. db.example.com) in Host and fill Port, Database, User and Password in their own fields; a connection string (host=… password=…) or options after "?" do not belong there.',
		});
	}
}

/** A URL, `user:password@`, or a `password=` pair: what a Database or User field holds when a connection string was pasted into it. */
const CONNECTION_STRING = /^[a-z][a-z0-9+.-]*:\/\/|:[^@]*@|(?:^|[\s;&?])(?:password|passwd|pwd)\s*=/i;

/**
 * Refuses a User or Database holding a connection string with a secret in it (a URL with `user:password@`, a libpq
 * string with `password=`): connecting with it cannot work, and the driver would repeat it in its errors. The
 * message never repeats the value.
 */
export function checkConnectionSettings(settings: { host: string; user: string; database: string }): void {
	checkHost(settings.host);
	for (const [field, value] of [
		['Database', settings.database],
		['User', settings.user],
	] as const) {
		if (CONNECTION_STRING.test(value)) {
			throw new ProdigyInputError(`${field} looks like a connection string (a URL or "key=value" settings); it must be only the ${field.toLowerCase()} name`, {
				hint: 'Fill Host, Port, Database, User and Password each in its own field; the password belongs only in Password.',
			});
		}
	}
}

/** `"name"` → `` `name` ``: identifiers in the store's SQL (store.ts, filters.ts) are constants, never user input, so a plain swap is safe. */
export function backtickIdentifiers(sql: string): string {
	return sql.replace(/"/g, '`');
}

/** `?` → `$1, $2, …` for PostgreSQL (the store's SQL never holds a literal question mark). */
export function numberPlaceholders(sql: string): string {
	let index = 0;
	return sql.replace(/\?/g, () => `$${++index}`);
}

/** `INSERT INTO "t" ("a", "b") VALUES (?, ?), (?, ?)` in the portable form. */
export function multiRowInsert(table: string, columns: readonly string[], rowCount: number): string {
	const row = `(${columns.map(() => '?').join(', ')})`;
	return (
		`INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) VALUES ` +
		Array.from({ length: rowCount }, () => row).join(', ')
	);
}

/** A small cache for translated SQL / prepared statements: batch inserts of many sizes must not grow it forever. */
export class BoundedCache<V> {
	private readonly entries = new Map<string, V>();
	constructor(private readonly capacity: number) {}
	get(key: string, make: () => V): V {
		const found = this.entries.get(key);
		if (found !== undefined) return found;
		const value = make();
		if (this.entries.size >= this.capacity) {
			const oldest = this.entries.keys().next();
			if (!oldest.done) this.entries.delete(oldest.value);
		}
		this.entries.set(key, value);
		return value;
	}
	clear(): void {
		this.entries.clear();
	}
}

/** Sorted ascending: within one INSERT the backends assign ids in VALUES order, whatever order RETURNING uses. */
export function ascendingIds(rows: readonly Row[], column = 'id'): number[] {
	return rows.map((row) => Number(row[column])).sort((a, b) => a - b);
}

/** A connection that broke (reset, closed, terminated by the server), as opposed to a statement the server refused. */
export function isConnectionLoss(error: unknown): boolean {
	return error instanceof ProdigyConnectionError && !(error instanceof DatabaseError);
}

/** Says what a lost COMMIT means; the store replaces it with the truth where it can check (see Store.confirm). */
export function commitOutcomeUnknown(server: string, cause: unknown, pendingResult: unknown): CommitOutcomeUnknownError {
	const reason = cause instanceof Error ? cause.message : String(cause);
	return new CommitOutcomeUnknownError(
		`The connection to ${server} was lost while committing (${reason})`,
		'Check the data before repeating the change. To repeat a write of examples safely, run it again with Skip Duplicates (Input or Task): what was saved is skipped, the rest is added.',
		pendingResult,
	);
}

/**
 * One explicit transaction on one connection: `begin`, then `work`, then COMMIT; a failure anywhere rolls back and
 * is rethrown. A connection lost while COMMIT was on its way is a CommitOutcomeUnknownError carrying `work`'s result:
 * the server may have committed. `rollback` must not throw: a dialect that cannot roll back marks the connection
 * broken.
 */
export async function atomically<T>(
	call: (sql: string) => Promise<unknown>,
	rollback: () => Promise<void>,
	begin: string,
	work: () => Promise<T>,
	server: string,
): Promise<T> {
	await call(begin);
	let result: T;
	try {
		result = await work();
	} catch (error) {
		await rollback();
		throw error;
	}
	try {
		await call('COMMIT');
	} catch (error) {
		await rollback();
		throw isConnectionLoss(error) ? commitOutcomeUnknown(server, error, result) : error;
	}
	return result;
}

/**
 * Waits without blocking the event loop: the backoff of lock waits, schema races and session settling. lib may not
 * import n8n-workflow's `sleep`, which is the same timer.
 */
export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * After a COMMIT whose reply was lost: waits until the old session is gone on the server (ending it if it lingers
 * past 2 s), so that its transaction is committed or rolled back for good before anyone checks. False when that
 * could not be established within 10 s (the server is unreachable).
 */
export async function settleSession(sessionExists: () => Promise<boolean>, endSession: () => Promise<unknown>): Promise<boolean> {
	const step = 100;
	try {
		for (let waited = 0; ; waited += step) {
			if (!(await sessionExists())) return true;
			if (waited >= 2_000) await endSession();
			if (waited >= 10_000) return false;
			await sleep(step);
		}
	} catch {
		// Unreachable: the outcome stays unknown, which the caller reports.
		return false;
	}
}
