// PostgreSQL through pg. The pool is opened on first use and closed by close(); errors name the server, the
// database and the user so the user can fix the credential, never the password.
import { Pool, type PoolClient, type PoolConfig } from 'pg';

import { CommitOutcomeUnknownError, errorMessage, ProdigyConnectionError, ProdigyError } from '../errors';
import {
	ascendingIds,
	atomically,
	checkHost,
	BoundedCache,
	DatabaseError,
	isConnectionLoss,
	multiRowInsert,
	safeHost,
	settleSession,
	numberPlaceholders,
	scrubSecret,
	type Dialect,
	type Executor,
	type ReservedExecutor,
	type Row,
	type SqlValue,
	type TransactionOptions,
} from './dialect';
import { PRODIGY_TABLES } from './schema';
import type { SslConfig, StoreConfig } from './types';

export type PostgresConfig = Extract<StoreConfig, { type: 'postgres' }>;

const UNIQUE_VIOLATION = '23505';
// Errors that mean "could not get a working connection" rather than "this statement was refused".
const CONNECTION_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'28000', // invalid_authorization_specification (unknown role, pg_hba refusal)
	'28P01', // invalid_password
	'3D000', // invalid_catalog_name: the database does not exist
	'53300', // too_many_connections
	'57P01', // admin_shutdown
	'57P03', // cannot_connect_now
]);

// A connection that was working and broke: the server ended it, or the network did.
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03']);

/** pg's own errors for a connection that ended under it (they carry no code). */
function isClientSideLoss(error: unknown): boolean {
	return /Connection terminated|not queryable|Client was closed/i.test(errorMessage(error)) && errorCode(error) === undefined;
}

// The link_dataset_id index is not in link.id order, and right after a bulk load (before autovacuum has
// analysed the table) PostgreSQL underestimates a dataset's rows: it would fetch every matching link, join and
// sort them for each page, so an export would cost pages × dataset size and a poll the whole dataset. With sorting
// and bitmap scans priced out it walks link_pkey from the last id seen, so a page costs the links past the cursor.
const ORDERED_PLAN = 'SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off';
const DEFAULT_PLAN = 'SET LOCAL enable_sort TO DEFAULT; SET LOCAL enable_bitmapscan TO DEFAULT';

function sslOption(ssl: boolean | SslConfig | undefined): PoolConfig['ssl'] {
	if (ssl === undefined || ssl === false) return false;
	if (ssl === true) return { rejectUnauthorized: true };
	return { rejectUnauthorized: ssl.rejectUnauthorized ?? true, ...(ssl.ca ? { ca: ssl.ca } : {}) };
}

function errorCode(error: unknown): string | undefined {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' ? code : undefined;
}

export class PostgresDialect implements Dialect {
	readonly type = 'postgres' as const;
	readonly maxParams = 65535;
	readonly forUpdate = ' FOR UPDATE';

	private pool: Pool | undefined;
	private readonly brokenClients = new WeakSet<PoolClient>();
	/** Clients whose connection broke while checked out, with the error pg reported. */
	private readonly lostClients = new WeakMap<PoolClient, unknown>();
	/** For diagnostics only: the last failure of a connection outside any statement (idle client, ROLLBACK). */
	lastIdleError: string | undefined;
	private readonly sql = new BoundedCache<string>(500);

	constructor(private readonly config: PostgresConfig) {}

	bool(value: boolean): SqlValue {
		return value;
	}

	blob(text: string): SqlValue {
		return Buffer.from(text, 'utf8');
	}

	async query(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
		return this.withClient((client) => this.executor(client).query(sql, params));
	}

	async queryPage(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
		// SET LOCAL needs a transaction block; this one only reads.
		return this.withClient(async (client) => {
			return this.atomically(client, `BEGIN; ${ORDERED_PLAN}`, async () => (await this.call(client, this.translate(sql), params)).rows);
		});
	}

	async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
		return this.withClient((client) => this.executor(client).run(sql, params));
	}

	async insertReturningIds(table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<number[]> {
		return this.withClient((client) => this.executor(client).insertReturningIds(table, columns, rows));
	}

	async existingTables(executor: Executor): Promise<Set<string>> {
		// Visible through the search path, i.e. what the unqualified names in every statement reach.
		const rows = await executor.query(
			`SELECT c.relname AS name FROM pg_catalog.pg_class c WHERE c.relname IN (${PRODIGY_TABLES.map(() => '?').join(', ')}) AND c.relkind IN ('r', 'p') AND pg_catalog.pg_table_is_visible(c.oid)`,
			[...PRODIGY_TABLES],
		);
		return new Set(rows.map((row) => String(row.name)));
	}

	async createTables(statements: readonly string[]): Promise<void> {
		// PostgreSQL DDL is transactional: the schema appears whole or not at all.
		await this.withClient(async (client) => {
			await this.atomically(client, 'BEGIN', async () => {
				for (const statement of statements) await this.call(client, statement);
			});
		});
	}

	async contentLimit(): Promise<number | null> {
		return null;
	}

	async statementByteBudget(): Promise<number> {
		// pg sends a bytea parameter as hex text (twice its size); keep one statement's text well below 1 GB.
		return 64 * 1024 * 1024;
	}

	async transaction<T>(_options: TransactionOptions, work: (tx: Executor) => Promise<T>): Promise<T> {
		return this.withClient(async (client) => {
			try {
				return await this.atomically(client, 'BEGIN', () => work(this.executor(client)));
			} catch (error) {
				if (error instanceof CommitOutcomeUnknownError) {
					const pid = Number((client as PoolClient & { processID?: number | null }).processID);
					error.settled = await settleSession(
						async () => Number((await this.query('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = ?', [pid]))[0]?.n) > 0,
						() => this.query('SELECT pg_terminate_backend(?)', [pid]),
					);
				}
				throw error;
			}
		});
	}

	reserve(): Promise<ReservedExecutor> {
		// withClient keeps the client until `release`, and decides there whether a failure broke the connection.
		return new Promise((resolve, reject) => {
			this.withClient(
				(client) =>
					new Promise<void>((done, fail) => {
						const executor = this.executor(client);
						resolve({
							...executor,
							// Outside a transaction SET LOCAL would not apply: a page is read in its own short one.
							queryPage: (sql, params = []) =>
								this.atomically(client, `BEGIN; ${ORDERED_PLAN}`, async () => (await this.call(client, this.translate(sql), params)).rows),
							release: async (failed) => (failed === undefined ? done() : fail(failed)),
						});
					}),
			).catch((error: unknown) => reject(error));
		});
	}

	async close(): Promise<void> {
		const pool = this.pool;
		this.pool = undefined;
		if (pool) await pool.end();
	}

	private executor(client: PoolClient): Executor {
		return {
			query: async (sql, params = []) => (await this.call(client, this.translate(sql), params)).rows,
			queryPage: async (sql, params = []) => {
				// Inside a transaction: the planner settings apply to this one statement only.
				await this.call(client, ORDERED_PLAN);
				const rows = (await this.call(client, this.translate(sql), params)).rows;
				// Only after success: a failed statement aborts the transaction, whose rollback undoes the SETs.
				await this.call(client, DEFAULT_PLAN);
				return rows;
			},
			run: async (sql, params = []) => (await this.call(client, this.translate(sql), params)).rowCount ?? 0,
			insertReturningIds: async (table, columns, rows) => {
				if (rows.length === 0) return [];
				const sql = this.translate(`${multiRowInsert(table, columns, rows.length)} RETURNING "id"`);
				return ascendingIds((await this.call(client, sql, rows.flat())).rows);
			},
		};
	}

	private translate(sql: string): string {
		return this.sql.get(sql, () => numberPlaceholders(sql));
	}

	private async call(client: PoolClient, sql: string, params: readonly SqlValue[] = []): Promise<{ rows: Row[]; rowCount: number | null }> {
		try {
			const result = await client.query<Row>(sql, params as SqlValue[]);
			return { rows: result.rows, rowCount: result.rowCount };
		} catch (error) {
			const lost = this.lostClients.get(client);
			// Once the connection broke, pg fails every statement with its own "not queryable"; report the cause.
			throw this.wrap(lost ?? error, lost !== undefined || isClientSideLoss(error));
		}
	}

	/** Rolls back; a client whose ROLLBACK failed has a broken connection and is marked to be destroyed. */
	private atomically<T>(client: PoolClient, begin: string, work: () => Promise<T>): Promise<T> {
		return atomically((sql) => this.call(client, sql), () => this.rollback(client), begin, work, this.serverName());
	}

	private async rollback(client: PoolClient): Promise<void> {
		try {
			await client.query('ROLLBACK');
		} catch (error) {
			// The server rolls the transaction back itself when the connection goes away.
			this.brokenClients.add(client);
			this.lastIdleError = errorMessage(error);
		}
	}

	private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
		let client: PoolClient;
		try {
			client = await this.getPool().connect();
		} catch (error) {
			throw this.connectionError(error);
		}
		// pg emits 'error' on a checked-out client whose connection dies (server restart, pg_terminate_backend,
		// a reset) even between statements; the pool listens only while the client is idle, and an 'error' nobody
		// listens to would end the n8n process. Recorded here, it fails this client's next statement instead.
		const onError = (error: Error) => {
			this.lostClients.set(client, error);
			this.lastIdleError = errorMessage(error);
		};
		client.on('error', onError);
		let broken = false;
		try {
			return await work(client);
		} catch (error) {
			broken = isConnectionLoss(error);
			throw error;
		} finally {
			broken ||= this.brokenClients.delete(client) || this.lostClients.has(client);
			client.removeListener('error', onError);
			// A client whose connection failed is destroyed instead of going back to the pool.
			client.release(broken);
		}
	}

	private getPool(): Pool {
		if (this.pool) return this.pool;
		const { host, port, user, password, database, ssl } = this.config;
		checkHost(host);
		const pool = new Pool({
			host,
			port,
			user,
			password,
			database,
			ssl: sslOption(ssl),
			max: 4,
			connectionTimeoutMillis: 15_000,
			idleTimeoutMillis: 10_000,
			allowExitOnIdle: true,
		});
		// An idle client losing its connection must not crash n8n; pg drops that client and the next
		// operation opens a fresh one (and reports the failure if the server is really gone).
		pool.on('error', (error) => {
			this.lastIdleError = errorMessage(error);
		});
		this.pool = pool;
		return pool;
	}

	private connectionError(error: unknown): ProdigyConnectionError {
		if (error instanceof ProdigyError) return error;
		const { host, port, database, user, password } = this.config;
		const code = errorCode(error);
		const reason = scrubSecret(errorMessage(error), password);
		let hint = 'Check host, port, database, user and password in the credential, and that PostgreSQL accepts TCP connections.';
		if (code === '28P01' || code === '28000') hint = 'Check the user name and password in the credential.';
		else if (code === '3D000') hint = `Create the database "${database}" first, or correct its name in the credential.`;
		else if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH')
			hint = `Check that PostgreSQL is running and reachable at ${safeHost(host)}:${port}.`;
		return new ProdigyConnectionError(
			`Could not connect to PostgreSQL at ${safeHost(host)}:${port} (database "${database}", user "${user}"): ${reason}`,
			hint,
		);
	}

	private serverName(): string {
		return `PostgreSQL at ${safeHost(this.config.host)}:${this.config.port}`;
	}

	private wrap(error: unknown, lost = false): Error {
		if (error instanceof ProdigyError) return error;
		const code = errorCode(error);
		if (lost || (code !== undefined && LOST_CODES.has(code))) {
			return new ProdigyConnectionError(
				`The connection to ${this.serverName()} was lost: ${scrubSecret(errorMessage(error), this.config.password)}`,
				'The database rolled back what this operation had not committed. Run it again once the server is reachable.',
			);
		}
		if (code !== undefined && CONNECTION_CODES.has(code)) return this.connectionError(error);
		const message = scrubSecret(errorMessage(error), this.config.password);
		// 40P01 deadlock_detected, 40001 serialization_failure.
		return new DatabaseError(`PostgreSQL error: ${message}`, code, code === UNIQUE_VIOLATION, undefined, code === '40P01' || code === '40001');
	}
}
