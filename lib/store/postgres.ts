// PostgreSQL through pg: the driver calls, `$n` placeholders, RETURNING ids and the planner settings for keyset
// pages. The pool, checkout, transactions and error mapping are shared with MySQL in pooled.ts.
import { Pool, type PoolClient } from 'pg';

import { errorMessage } from '../errors';
import { ascendingIds, multiRowInsert, numberPlaceholders, type Dialect, type Executor, type Row, type SqlValue } from './dialect';
import { errorCode, NETWORK_CODES, PooledDialect, sslOptions, type DriverCodes } from './pooled';
import { PRODIGY_TABLES } from './schema';
import type { StoreConfig } from './types';

export type PostgresConfig = Extract<StoreConfig, { type: 'postgres' }>;

// Errors that mean "could not get a working connection" rather than "this statement was refused".
const CONNECTION_CODES = new Set([
	...NETWORK_CODES,
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

const CODES: DriverCodes = {
	connection: CONNECTION_CODES,
	auth: ['28P01', '28000'],
	missingDatabase: '3D000',
	uniqueViolation: '23505',
	// 40P01 deadlock_detected, 40001 serialization_failure.
	retryable: ['40P01', '40001'],
};

export class PostgresDialect extends PooledDialect<Pool, PoolClient, { rows: Row[]; rowCount: number | null }> implements Dialect {
	readonly type = 'postgres' as const;
	protected readonly label = 'PostgreSQL';
	protected readonly product = 'PostgreSQL';
	protected readonly codes = CODES;
	protected readonly begin = 'BEGIN';

	constructor(config: PostgresConfig) {
		super(config);
	}

	bool(value: boolean): SqlValue {
		return value;
	}

	protected pageOutsideTransaction(client: PoolClient, sql: string, params: readonly SqlValue[]): Promise<Row[]> {
		// SET LOCAL needs a transaction block; this short one only reads.
		return this.atomically(client, `BEGIN; ${ORDERED_PLAN}`, async () => (await this.call(client, this.translate(sql), params)).rows);
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

	protected executor(client: PoolClient): Executor {
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

	protected async send(client: PoolClient, sql: string, params: readonly SqlValue[]): Promise<{ rows: Row[]; rowCount: number | null }> {
		const result = await client.query<Row>(sql, params as SqlValue[]);
		return { rows: result.rows, rowCount: result.rowCount };
	}

	protected checkout(pool: Pool): Promise<PoolClient> {
		return pool.connect();
	}

	protected listen(client: PoolClient, onError: (error: Error) => void): () => void {
		client.on('error', onError);
		return () => client.removeListener('error', onError);
	}

	protected release(client: PoolClient, destroy: boolean): void {
		client.release(destroy);
	}

	protected isLost(error: unknown): boolean {
		const code = errorCode(error);
		return isClientSideLoss(error) || (code !== undefined && LOST_CODES.has(code));
	}

	protected sessionId(client: PoolClient): number {
		return Number((client as PoolClient & { processID?: number | null }).processID);
	}

	protected async sessionExists(pid: number): Promise<boolean> {
		return Number((await this.query('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = ?', [pid]))[0]?.n) > 0;
	}

	protected endSession(pid: number): Promise<unknown> {
		return this.query('SELECT pg_terminate_backend(?)', [pid]);
	}

	protected createPool(): Pool {
		const { host, port, user, password, database, ssl } = this.config;
		const pool = new Pool({
			host,
			port,
			user,
			password,
			database,
			ssl: sslOptions(ssl) ?? false,
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
		return pool;
	}

	protected fromPortable(sql: string): string {
		return numberPlaceholders(sql);
	}
}
