// MySQL and MariaDB through mysql2. Differences from the other backends: BLOB holds 65,535 bytes, one statement
// must fit max_allowed_packet, and a multi-row INSERT reports only its first id.
import { createPool, type Pool, type PoolConnection, type ResultSetHeader } from 'mysql2/promise';

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
 * - `multiStatement`: one single-row INSERT per row, all sent in one round trip; each reports its own id.
 *   The fallback for lock mode 2 (MySQL 8's default), where concurrent inserts may interleave ids.
 */
export type MysqlInsertIdStrategy = 'returning' | 'consecutive' | 'multiStatement';

export interface MysqlDialectOptions {
	/** Force a strategy instead of detecting it (tests exercise every strategy on one server). */
	insertIdStrategy?: MysqlInsertIdStrategy;
}

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

export interface IdPlan {
	strategy: MysqlInsertIdStrategy;
	increment: number;
}

export class MysqlDialect extends PooledDialect<Pool, PoolConnection, unknown> implements Dialect {
	readonly type = 'mysql' as const;
	protected readonly label = 'MySQL';
	protected readonly product = 'MySQL / MariaDB';
	protected readonly codes = CODES;
	// InnoDB's default REPEATABLE READ fixes a snapshot at the first plain read, so a read after waiting for a row
	// lock (FOR UPDATE) would not see what the lock holder just committed: two writers deduping the same tasks would
	// both insert them. READ COMMITTED gives every statement a fresh snapshot, as PostgreSQL does; every
	// read-check-write in store.ts locks its dataset row before it checks.
	protected readonly begin = 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED; START TRANSACTION';

	private idPlan: IdPlan | undefined;
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
		const script = rows.map(() => single).join('; ');
		const results = await this.call(connection, script, rows.flat());
		// mysql2 returns one header for one statement and an array of headers for several.
		const headers = (rows.length === 1 ? [results] : results) as ResultSetHeader[];
		return headers.map((header) => header.insertId);
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
		// Values are inlined as X'hex' (twice their size); leave room for the statement around them.
		const statementBytes = Math.max(MYSQL_BLOB_BYTES, Math.floor(maxPacket / 2) - 256 * 1024);
		this.limits = { content: Number.isFinite(declared) && declared > 0 ? declared : MYSQL_BLOB_BYTES, statementBytes };
		return this.limits;
	}

	protected fromPortable(sql: string): string {
		return backtickIdentifiers(sql);
	}

	protected async send(connection: PoolConnection, sql: string, params: readonly SqlValue[]): Promise<unknown> {
		const [result] = await connection.query(sql, params as SqlValue[]);
		return result;
	}

	protected checkout(pool: Pool): Promise<PoolConnection> {
		return pool.getConnection();
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
			// Needed by the multiStatement id strategy. Safe here: every value is escaped by mysql2 and every
			// identifier is a constant of store.ts, so no input can add a statement.
			multipleStatements: true,
		});
	}
}
