// What the two server backends (PostgreSQL through pg, MySQL / MariaDB through mysql2) share: a pool opened on
// first use, a checked-out connection whose failures are caught and which is destroyed instead of reused once it
// broke, explicit transactions with rollback, settling a COMMIT whose reply was lost, and errors that name the
// server, the database and the user (never the password; a user or database only when it is a plain name). A subclass keeps only its driver calls, placeholders,
// insert ids and the codes its driver reports.
import { CommitOutcomeUnknownError, errorMessage, ProdigyConnectionError, ProdigyError } from '../errors';
import {
	atomically,
	BoundedCache,
	checkConnectionSettings,
	DatabaseError,
	isConnectionLoss,
	safeHost,
	scrubSecrets,
	settleSession,
	shownSetting,
	type Executor,
	type ReservedExecutor,
	type Row,
	type SqlValue,
	type TransactionOptions,
} from './dialect';
import type { SslConfig, StoreConfig } from './types';

/** What both server credentials hold (host, port, user, password, database, ssl). */
export type PooledConfig = Omit<Extract<StoreConfig, { type: 'postgres' | 'mysql' }>, 'type'>;

/** The TLS options both drivers take; undefined for a plain connection. */
export function sslOptions(ssl: boolean | SslConfig | undefined): { rejectUnauthorized: boolean; ca?: string } | undefined {
	if (ssl === undefined || ssl === false) return undefined;
	if (ssl === true) return { rejectUnauthorized: true };
	return { rejectUnauthorized: ssl.rejectUnauthorized ?? true, ...(ssl.ca ? { ca: ssl.ca } : {}) };
}

export function errorCode(error: unknown): string | undefined {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' ? code : undefined;
}

/** The socket's own failures to reach the server, as Node reports them to both drivers. */
export const NETWORK_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'];

// Network failures that a hint can name as "not running / not reachable".
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** The codes one driver reports, as the shared error mapping needs them. */
export interface DriverCodes {
	/** "Could not get a working connection" rather than "this statement was refused". */
	connection: ReadonlySet<string>;
	/** The user or password was refused. */
	auth: readonly string[];
	/** The database does not exist. */
	missingDatabase: string;
	/** A unique index refused the row. */
	uniqueViolation: string;
	/** A deadlock or serialization failure: the transaction may simply be run again. */
	retryable: readonly string[];
}

export abstract class PooledDialect<Pool extends { end(): Promise<void> }, Client, Result> {
	// pg binds up to 65,535 parameters, and so does a MySQL prepared statement (its parameter count is 16 bits).
	readonly maxParams = 65535;
	readonly forUpdate = ' FOR UPDATE';
	/** Names the server in messages: "PostgreSQL", "MySQL". */
	protected abstract readonly label: string;
	/** Names the product in hints: "PostgreSQL", "MySQL / MariaDB". */
	protected abstract readonly product: string;
	protected abstract readonly codes: DriverCodes;
	/** How an explicit transaction starts on this backend. */
	protected abstract readonly begin: string;

	/** For diagnostics only: the last failure of a connection outside any statement (idle client, ROLLBACK). */
	lastIdleError: string | undefined;
	private pool: Pool | undefined;
	private readonly sql = new BoundedCache<string>(500);
	/** Clients whose ROLLBACK failed: their connection is broken. */
	private readonly broken = new WeakSet<object>();
	/** Clients whose connection broke while checked out, with the error the driver reported. */
	private readonly lost = new WeakMap<object, unknown>();

	constructor(protected readonly config: PooledConfig) {}

	protected abstract createPool(): Pool;
	protected abstract checkout(pool: Pool): Promise<Client>;
	/** Listens for the driver's 'error' event on a checked-out client; returns the function that stops listening. */
	protected abstract listen(client: Client, onError: (error: Error) => void): () => void;
	/** Gives the client back to the pool, or destroys it when its connection broke. */
	protected abstract release(client: Client, destroy: boolean): void;
	/** The driver call itself, in the backend's own SQL. */
	protected abstract send(client: Client, sql: string, params: readonly SqlValue[]): Promise<Result>;
	protected abstract executor(client: Client): Executor;
	/** A keyset page read on a client outside any transaction (see Executor.queryPage). */
	protected abstract pageOutsideTransaction(client: Client, sql: string, params: readonly SqlValue[]): Promise<Row[]>;
	/** store.ts's portable SQL (`?`, "identifiers") in this backend's syntax. */
	protected abstract fromPortable(sql: string): string;
	/** A connection the driver reports as broken (as opposed to a statement the server refused). */
	protected abstract isLost(error: unknown): boolean;
	/** The server's id of the client's session, and how to see whether it still exists and to end it. */
	protected abstract sessionId(client: Client): number;
	protected abstract sessionExists(id: number): Promise<boolean>;
	protected abstract endSession(id: number): Promise<unknown>;

	/** Both bind a Buffer to the BYTEA / BLOB content column. */
	blob(text: string): SqlValue {
		return Buffer.from(text, 'utf8');
	}

	query(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
		return this.withClient((client) => this.executor(client).query(sql, params));
	}

	run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
		return this.withClient((client) => this.executor(client).run(sql, params));
	}

	insertReturningIds(table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<number[]> {
		return this.withClient((client) => this.executor(client).insertReturningIds(table, columns, rows));
	}

	async transaction<T>(_options: TransactionOptions, work: (tx: Executor) => Promise<T>): Promise<T> {
		return this.withClient(async (client) => {
			try {
				return await this.atomically(client, this.begin, () => work(this.executor(client)));
			} catch (error) {
				if (error instanceof CommitOutcomeUnknownError) {
					const id = this.sessionId(client);
					error.settled = await settleSession(
						() => this.sessionExists(id),
						() => this.endSession(id),
					);
				}
				throw error;
			}
		});
	}

	queryPage(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
		return this.withClient((client) => this.pageOutsideTransaction(client, sql, params));
	}

	reserve(): Promise<ReservedExecutor> {
		// withClient keeps the client until `release`, and decides there whether a failure broke the connection.
		return new Promise((resolve, reject) => {
			this.withClient(
				(client) =>
					new Promise<void>((done, fail) =>
						resolve({
							...this.executor(client),
							queryPage: (sql, params = []) => this.pageOutsideTransaction(client, sql, params),
							release: async (failed) => (failed === undefined ? done() : fail(failed)),
						}),
					),
			).catch((error: unknown) => reject(error));
		});
	}

	async close(): Promise<void> {
		const pool = this.pool;
		this.pool = undefined;
		if (pool) await pool.end();
	}

	protected async call(client: Client, sql: string, params: readonly SqlValue[] = []): Promise<Result> {
		try {
			return await this.send(client, sql, params);
		} catch (error) {
			const lost = this.lost.get(client as object);
			// Once the connection broke, the driver fails every statement with its own "closed" error; report the cause.
			throw this.wrap(lost ?? error, lost !== undefined);
		}
	}

	/** `begin`, `work`, COMMIT on one client; rolls back on failure (see atomically in dialect.ts). */
	protected atomically<T>(client: Client, begin: string, work: () => Promise<T>): Promise<T> {
		return atomically((sql) => this.call(client, sql), () => this.rollback(client), begin, work, this.serverName());
	}

	protected async withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
		let client: Client;
		try {
			client = await this.checkout(this.getPool());
		} catch (error) {
			throw this.connectionError(error);
		}
		// Both drivers emit 'error' on a checked-out client whose connection dies (server restart, a terminated
		// backend, a reset) even between statements; their pools listen only while the client is idle (mysql2: once),
		// and an 'error' nobody listens to would end the n8n process. Recorded here, it fails this client's next
		// statement instead.
		const stopListening = this.listen(client, (error) => {
			this.lost.set(client as object, error);
			this.lastIdleError = errorMessage(error);
		});
		let broken = false;
		try {
			return await work(client);
		} catch (error) {
			broken = isConnectionLoss(error);
			throw error;
		} finally {
			broken = this.broken.delete(client as object) || this.lost.has(client as object) || broken;
			stopListening();
			// A client whose connection failed is destroyed instead of going back to the pool.
			this.release(client, broken);
		}
	}

	protected translate(sql: string): string {
		return this.sql.get(sql, () => this.fromPortable(sql));
	}

	protected serverName(): string {
		return `${this.label} at ${safeHost(this.config.host)}:${this.config.port}`;
	}

	private async rollback(client: Client): Promise<void> {
		try {
			await this.send(client, 'ROLLBACK', []);
		} catch (error) {
			// The server rolls the transaction back itself when the connection goes away; never reuse this one.
			this.broken.add(client as object);
			this.lastIdleError = errorMessage(error);
		}
	}

	private getPool(): Pool {
		if (this.pool) return this.pool;
		checkConnectionSettings(this.config);
		this.pool = this.createPool();
		return this.pool;
	}

	/** A driver message without the password or any setting that is not a plain name (drivers repeat user and database). */
	private scrub(message: string): string {
		const { password, user, database, host } = this.config;
		return scrubSecrets(message, { password, user, database, host });
	}

	private connectionError(error: unknown): ProdigyConnectionError {
		if (error instanceof ProdigyError) return error;
		const { host, port, database, user } = this.config;
		const code = errorCode(error);
		const reason = this.scrub(errorMessage(error));
		let hint = `Check host, port, database, user and password in the credential, and that ${this.product} accepts TCP connections.`;
		if (code !== undefined && this.codes.auth.includes(code)) hint = 'Check the user name and password in the credential.';
		else if (code === this.codes.missingDatabase) hint = `Create the database ${shownSetting(database)} first, or correct its name in the credential.`;
		else if (code !== undefined && UNREACHABLE_CODES.has(code)) hint = `Check that ${this.product} is running and reachable at ${safeHost(host)}:${port}.`;
		return new ProdigyConnectionError(
			`Could not connect to ${this.label} at ${safeHost(host)}:${port} (database ${shownSetting(database)}, user ${shownSetting(user)}): ${reason || code || 'unknown error'}`,
			hint,
		);
	}

	private wrap(error: unknown, lost: boolean): Error {
		if (error instanceof ProdigyError) return error;
		const code = errorCode(error);
		if (lost || this.isLost(error)) {
			return new ProdigyConnectionError(
				`The connection to ${this.serverName()} was lost: ${this.scrub(errorMessage(error))}`,
				'The database rolled back what this operation had not committed. Run it again once the server is reachable.',
			);
		}
		if (code !== undefined && this.codes.connection.has(code)) return this.connectionError(error);
		const message = this.scrub(errorMessage(error));
		return new DatabaseError(
			`${this.label} error: ${message}`,
			code,
			code === this.codes.uniqueViolation,
			undefined,
			code !== undefined && this.codes.retryable.includes(code),
		);
	}
}
