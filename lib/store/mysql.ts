// MySQL and MariaDB through mysql2. Differences from the other backends: BLOB holds 65,535 bytes, one statement
// must fit max_allowed_packet, and a multi-row INSERT reports only its first id.
// Every value reaches the server as a bound parameter of a server-side prepared statement (mysql2's execute), never
// as text inside the SQL: mysql2's client-side escaping writes ' as \', which a server whose sql_mode has
// NO_BACKSLASH_ESCAPES reads as a backslash followed by the end of the string — a dataset name could then end the
// literal and run SQL of its own. Statements without values (DDL, COMMIT, constant reads) go as plain queries, and
// the connection accepts one statement per call (no multipleStatements).
import { createPool, TypedParameter, type Pool, type PoolConnection, type ResultSetHeader } from 'mysql2/promise';

import { ascendingIds, backtickIdentifiers, DatabaseError, multiRowInsert, type Dialect, type Executor, type Row, type SqlValue } from './dialect';
import { errorCode, NETWORK_CODES, PooledDialect, sslOptions, type DriverCodes } from './pooled';
import { PRODIGY_TABLES } from './schema';
import type { StoreConfig } from './types';

export type MysqlConfig = Extract<StoreConfig, { type: 'mysql' }>;

/**
 * How the ids of a multi-row INSERT are learned:
 * - `returning`: `INSERT … RETURNING id` (MariaDB ≥ 10.5): the ids themselves.
 * - `consecutive`: the first id plus i × auto_increment_increment. Only valid when the server hands a simple
 *   multi-row INSERT one consecutive block, which InnoDB guarantees for innodb_autoinc_lock_mode 0 and 1.
 * - `multiStatement`: one single-row INSERT per row, each reporting its own id (one prepared statement executed per
 *   row, a round trip each). The fallback for lock mode 2 (MySQL 8's default), where concurrent inserts may
 *   interleave ids. These rows once went as one multi-statement script in one round trip; a script cannot be a
 *   prepared statement, and its values would have to be inlined as text.
 */
export type MysqlInsertIdStrategy = 'returning' | 'consecutive' | 'multiStatement';

export interface MysqlDialectOptions {
	/** Force a strategy instead of detecting it (tests exercise every strategy on one server). */
	insertIdStrategy?: MysqlInsertIdStrategy;
	/**
	 * The sql_mode of the store's own sessions (`SET SESSION sql_mode`), instead of the server's default. For running
	 * the store under a mode a server may be configured with (NO_BACKSLASH_ESCAPES, ANSI_QUOTES) without changing the
	 * server's global setting; the store behaves the same in every mode.
	 */
	sqlMode?: string;
}

/**
 * Prepared statements each connection keeps (mysql2 closes the least recently used one beyond this). The server's
 * max_prepared_stmt_count (16,382 by default) is shared by every client of the server, Prodigy included, and the
 * store's statements vary in shape (IN lists and multi-row INSERTs of many sizes): mysql2's default of 16,000 per
 * connection would let one n8n process exhaust it.
 */
export const MYSQL_PREPARED_STATEMENTS_PER_CONNECTION = 64;

/** BLOB's limit, assumed when information_schema does not say otherwise. */
export const MYSQL_BLOB_BYTES = 65_535;
const CONNECTION_CODES = new Set([
	...NETWORK_CODES,
	'PROTOCOL_CONNECTION_LOST',
	'ER_ACCESS_DENIED_ERROR',
	'ER_DBACCESS_DENIED_ERROR',
	'ER_BAD_DB_ERROR',
	'ER_CON_COUNT_ERROR',
	'ER_NOT_SUPPORTED_AUTH_MODE',
	'HANDSHAKE_NO_SSL_SUPPORT',
]);

const CODES: DriverCodes = {
	connection: CONNECTION_CODES,
	auth: ['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR'],
	missingDatabase: 'ER_BAD_DB_ERROR',
	uniqueViolation: 'ER_DUP_ENTRY',
	retryable: ['ER_LOCK_DEADLOCK'],
};

/** `10.11.19-MariaDB-0+deb12u1` → true when MariaDB ≥ 10.5, which has INSERT … RETURNING. */
export function mariaDbHasReturning(version: string): boolean {
	if (!/mariadb/i.test(version)) return false;
	const match = /^(\d+)\.(\d+)/.exec(version);
	if (!match) return false;
	const [major, minor] = [Number(match[1]), Number(match[2])];
	return major > 10 || (major === 10 && minor >= 5);
}

/**
 * A value as execute() binds it. Integers (ids, hashes, limits, 0 / 1) go as BIGINT: mysql2 would send a JavaScript
 * number as a DOUBLE, which MySQL ≥ 8.0.22 refuses where the statement expects an integer (`LIMIT ?`: "Incorrect
 * arguments to mysqld_stmt_execute") unless the server's parameter metadata says otherwise.
 */
function bound(value: SqlValue): SqlValue | ReturnType<typeof TypedParameter.BIGINT> {
	return typeof value === 'number' && Number.isSafeInteger(value) ? TypedParameter.BIGINT(value) : value;
}

export interface IdPlan {
	strategy: MysqlInsertIdStrategy;
	increment: number;
}

export class MysqlDialect extends PooledDialect<Pool, PoolConnection, unknown> implements Dialect {
	readonly type = 'mysql' as const;
	protected readonly label = 'MySQL';
	protected readonly product = 'MySQL / MariaDB';
	protected readonly codes = CODES;
	// Runs at READ COMMITTED: each session is set to it when it first connects (see checkout).
	protected readonly begin = 'START TRANSACTION';

	private idPlan: IdPlan | undefined;
	/** Driver connections whose session settings are made (mysql2 hands the same one out again and again). */
	private readonly initialised = new WeakSet<object>();
	private limits: { content: number | null; statementBytes: number } | undefined;

	constructor(
		config: MysqlConfig,
		private readonly options: MysqlDialectOptions = {},
	) {
		super(config);
	}

	bool(value: boolean): SqlValue {
		return value ? 1 : 0;
	}

	protected pageOutsideTransaction(connection: PoolConnection, sql: string, params: readonly SqlValue[]): Promise<Row[]> {
		// InnoDB's link_dataset_id index carries the primary key: (dataset_id, id) is one ordered range already.
		return this.executor(connection).queryPage(sql, params);
	}

	async existingTables(executor: Executor): Promise<Set<string>> {
		const rows = await executor.query(
			`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN (${PRODIGY_TABLES.map(() => '?').join(', ')})`,
			[...PRODIGY_TABLES],
		);
		return new Set(rows.map((row) => String(row.name)));
	}

	async createTables(statements: readonly string[]): Promise<void> {
		// MySQL commits each DDL statement implicitly; there is no all-or-nothing here.
		await this.withClient(async (connection) => {
			for (const statement of statements) await this.call(connection, statement);
		});
	}

	async contentLimit(executor: Executor): Promise<number | null> {
		return (await this.readLimits(executor)).content;
	}

	async statementByteBudget(executor: Executor): Promise<number> {
		return (await this.readLimits(executor)).statementBytes;
	}

	async close(): Promise<void> {
		this.idPlan = undefined;
		this.limits = undefined;
		await super.close();
	}

	protected executor(connection: PoolConnection): Executor {
		return {
			query: async (sql, params = []) => (await this.call(connection, this.translate(sql), params)) as Row[],
			queryPage: async (sql, params = []) => (await this.call(connection, this.translate(sql), params)) as Row[],
			run: async (sql, params = []) => ((await this.call(connection, this.translate(sql), params)) as ResultSetHeader).affectedRows,
			insertReturningIds: (table, columns, rows) => this.insertIds(connection, table, columns, rows),
		};
	}

	private async insertIds(connection: PoolConnection, table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<number[]> {
		if (rows.length === 0) return [];
		const plan = await this.planIds(connection);
		if (plan.strategy === 'returning') {
			const sql = this.translate(`${multiRowInsert(table, columns, rows.length)} RETURNING "id"`);
			return ascendingIds((await this.call(connection, sql, rows.flat())) as Row[]);
		}
		if (plan.strategy === 'consecutive') {
			const sql = this.translate(multiRowInsert(table, columns, rows.length));
			const header = (await this.call(connection, sql, rows.flat())) as ResultSetHeader;
			if (header.affectedRows !== rows.length) {
				throw new DatabaseError(`MySQL inserted ${header.affectedRows} of ${rows.length} rows into ${table}`, undefined, false);
			}
			return rows.map((_, i) => header.insertId + i * plan.increment);
		}
		const single = this.translate(multiRowInsert(table, columns, 1));
		const ids: number[] = [];
		for (const row of rows) ids.push(((await this.call(connection, single, row)) as ResultSetHeader).insertId);
		return ids;
	}

	/** How this server's multi-row insert ids are learned (detected once per pool). */
	insertIdPlan(): Promise<Readonly<IdPlan>> {
		return this.withClient((connection) => this.planIds(connection));
	}

	private async planIds(connection: PoolConnection): Promise<IdPlan> {
		if (this.idPlan) return this.idPlan;
		const [row] = (await this.call(
			connection,
			'SELECT VERSION() AS version, @@innodb_autoinc_lock_mode AS lock_mode, @@auto_increment_increment AS increment',
		)) as Row[];
		const increment = Number(row?.increment ?? 1);
		let strategy = this.options.insertIdStrategy;
		if (strategy === undefined) {
			const lockMode = Number(row?.lock_mode);
			if (mariaDbHasReturning(String(row?.version ?? ''))) strategy = 'returning';
			else if (lockMode === 0 || lockMode === 1) strategy = 'consecutive';
			else strategy = 'multiStatement';
		}
		this.idPlan = { strategy, increment: increment > 0 ? increment : 1 };
		return this.idPlan;
	}

	private async readLimits(executor: Executor): Promise<{ content: number | null; statementBytes: number }> {
		if (this.limits) return this.limits;
		// The declared column decides, so a database whose content column was widened (MEDIUMBLOB, LONGBLOB)
		// is used as it is, never altered.
		const [column] = await executor.query(
			"SELECT character_maximum_length AS max_length FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'example' AND column_name = 'content'",
		);
		const declared = Number(column?.max_length);
		const [packet] = await executor.query('SELECT @@max_allowed_packet AS max_packet');
		const maxPacket = Number(packet?.max_packet ?? 4 * 1024 * 1024);
		// A bound value travels as its own bytes in the execute packet, with at most 11 bytes of type and length
		// beside it; leave room for those of a statement with every parameter, and for the rest of the packet.
		const statementBytes = Math.max(MYSQL_BLOB_BYTES, maxPacket - this.maxParams * 11 - 256 * 1024);
		this.limits = { content: Number.isFinite(declared) && declared > 0 ? declared : MYSQL_BLOB_BYTES, statementBytes };
		return this.limits;
	}

	protected fromPortable(sql: string): string {
		return backtickIdentifiers(sql);
	}

	protected async send(connection: PoolConnection, sql: string, params: readonly SqlValue[]): Promise<unknown> {
		// Never query(sql, values): that inlines the values as escaped text (see the top of this file).
		const [result] = params.length === 0 ? await connection.query(sql) : await connection.execute(sql, params.map(bound));
		return result;
	}

	protected async checkout(pool: Pool): Promise<PoolConnection> {
		const connection = await pool.getConnection();
		if (this.initialised.has(connection.connection)) return connection;
		try {
			// InnoDB's default REPEATABLE READ fixes a snapshot at the first plain read, so a read after waiting for a
			// row lock (FOR UPDATE) would not see what the lock holder just committed: two writers deduping the same
			// tasks would both insert them. READ COMMITTED gives every statement a fresh snapshot, as PostgreSQL does;
			// every read-check-write in store.ts locks its dataset row before it checks. Set once per session (the
			// pool keeps sessions as they are, resetOnRelease is off) rather than before each transaction, which
			// would take a second statement per transaction.
			await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
			if (this.options.sqlMode !== undefined) await connection.execute('SET SESSION sql_mode = ?', [this.options.sqlMode]);
		} catch (error) {
			connection.destroy();
			throw error;
		}
		this.initialised.add(connection.connection);
		return connection;
	}

	protected listen(connection: PoolConnection, onError: (error: Error) => void): () => void {
		connection.connection.on('error', onError);
		return () => connection.connection.removeListener('error', onError);
	}

	protected release(connection: PoolConnection, destroy: boolean): void {
		if (destroy) connection.destroy();
		else connection.release();
	}

	/** mysql2 marks errors that end the connection as fatal (a reset socket, the server's KILL notice). */
	protected isLost(error: unknown): boolean {
		return (error as { fatal?: unknown } | null)?.fatal === true || errorCode(error) === 'ER_CONNECTION_KILLED';
	}

	protected sessionId(connection: PoolConnection): number {
		return Number(connection.connection.threadId);
	}

	protected async sessionExists(id: number): Promise<boolean> {
		return Number((await this.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?', [id]))[0]?.n) > 0;
	}

	protected endSession(id: number): Promise<unknown> {
		return this.run(`KILL CONNECTION ${id}`).catch(() => 0);
	}

	protected createPool(): Pool {
		const { host, port, user, password, database, ssl } = this.config;
		return createPool({
			host,
			port,
			user,
			password,
			database,
			ssl: sslOptions(ssl),
			charset: 'utf8mb4',
			connectionLimit: 4,
			connectTimeout: 15_000,
			// Hash columns are BIGINT: numbers while exact, strings beyond 2^53 (never for int32 hashes).
			supportBigNumbers: true,
			bigNumberStrings: false,
			// One statement per call: nothing sent can ever carry a second one.
			multipleStatements: false,
			maxPreparedStatements: MYSQL_PREPARED_STATEMENTS_PER_CONNECTION,
			// Sessions keep their settings (isolation level, sql_mode) between checkouts; see checkout.
			resetOnRelease: false,
		});
	}
}
