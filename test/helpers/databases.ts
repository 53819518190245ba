// Real databases for tests: a fresh SQLite file, or a fresh uniquely named database on the running PostgreSQL /
// MariaDB, dropped again by cleanup(). Parallel test files never share a database. An unreachable server is an
// error that says how to start it, never a skip.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';

import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

import type { StoreConfig } from '../../lib/store/types';

export type BackendName = 'sqlite' | 'postgres' | 'mysql';
export const BACKENDS: BackendName[] = ['sqlite', 'postgres', 'mysql'];

export const PG_HOST = process.env.PGHOST_TEST ?? '127.0.0.1';
export const PG_PORT = Number(process.env.PGPORT_TEST ?? 5432);
export const MYSQL_HOST = process.env.MYSQL_HOST_TEST ?? '127.0.0.1';
export const MYSQL_PORT = Number(process.env.MYSQL_PORT_TEST ?? 3306);

const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const START_MARIADB = 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd';

export interface TestDatabase {
	config: StoreConfig;
	cleanup(): Promise<void>;
}

function uniqueName(): string {
	return `prodigy_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

function message(error: unknown): string {
	if (error instanceof AggregateError && error.errors.length > 0) return message(error.errors[0]);
	return error instanceof Error ? error.message : String(error);
}

function code(error: unknown): unknown {
	return (error as { code?: unknown } | null)?.code;
}

// --- PostgreSQL --------------------------------------------------------------------------------------------------

let pgUser: string | undefined;

async function pgAdmin(): Promise<Client> {
	const users = pgUser ? [pgUser] : ['postgres', 'root'];
	let lastError: unknown;
	for (const user of users) {
		const client = new Client({ host: PG_HOST, port: PG_PORT, user, database: 'postgres', connectionTimeoutMillis: 5000 });
		try {
			await client.connect();
			pgUser = user;
			return client;
		} catch (error) {
			lastError = error;
			await client.end().catch(() => undefined);
			// A missing role is worth the next candidate; a server that is down is not.
			if (code(error) !== '28000' && code(error) !== '28P01') break;
		}
	}
	throw new Error(
		`PostgreSQL is not reachable at ${PG_HOST}:${PG_PORT} as user postgres or root (${message(lastError)}). ` +
			`Start it with: ${START_POSTGRES}`,
	);
}

async function createPostgresDatabase(): Promise<TestDatabase> {
	const admin = await pgAdmin();
	const database = uniqueName();
	try {
		await admin.query(`CREATE DATABASE "${database}"`);
	} finally {
		await admin.end();
	}
	const config: StoreConfig = { type: 'postgres', host: PG_HOST, port: PG_PORT, user: pgUser ?? 'postgres', password: '', database };
	return {
		config,
		cleanup: async () => {
			const client = await pgAdmin();
			try {
				await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
			} finally {
				await client.end();
			}
		},
	};
}

// --- MariaDB / MySQL ---------------------------------------------------------------------------------------------

const ROOT = { host: MYSQL_HOST, port: MYSQL_PORT, user: 'root', password: '' };

async function mysqlAdmin(login: { host: string; port: number; user: string; password: string; database?: string } = ROOT) {
	try {
		return await createConnection({
			...login,
			charset: 'utf8mb4',
			connectTimeout: 5000,
			supportBigNumbers: true,
			multipleStatements: true,
		});
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- a test helper, not a node
		throw new Error(
			`MariaDB / MySQL is not reachable at ${MYSQL_HOST}:${MYSQL_PORT} as root with an empty password (${message(error)}). ` +
				`Start it with: ${START_MARIADB}`,
		);
	}
}

async function createMysqlDatabase(): Promise<TestDatabase> {
	const admin = await mysqlAdmin();
	const database = uniqueName();
	try {
		await admin.query(`CREATE DATABASE \`${database}\``);
	} finally {
		await admin.end();
	}
	const config: StoreConfig = { type: 'mysql', host: MYSQL_HOST, port: MYSQL_PORT, user: 'root', password: '', database };
	return {
		config,
		cleanup: async () => {
			const connection = await mysqlAdmin();
			try {
				await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
			} finally {
				await connection.end();
			}
		},
	};
}

// --- SQLite ------------------------------------------------------------------------------------------------------

async function createSqliteDatabase(): Promise<TestDatabase> {
	const dir = await mkdtemp(join(tmpdir(), 'prodigy-test-'));
	return {
		config: { type: 'sqlite', path: join(dir, 'prodigy.db') },
		cleanup: () => rm(dir, { recursive: true, force: true }),
	};
}

/** A fresh, empty database on `backend`; cleanup() removes it. */
export async function createTestDatabase(backend: BackendName): Promise<TestDatabase> {
	switch (backend) {
		case 'sqlite':
			return createSqliteDatabase();
		case 'postgres':
			return createPostgresDatabase();
		case 'mysql':
			return createMysqlDatabase();
	}
}

function toPgPlaceholders(sql: string): string {
	if (/\$\d/.test(sql)) return sql;
	let index = 0;
	return sql.replace(/\?/g, () => `$${++index}`);
}

/**
 * Runs one statement on its own connection, the way Prodigy (or a person with a SQL client) would see the data.
 * Placeholders are `?` on every backend (or `$1…` on PostgreSQL); write identifiers unquoted to stay portable.
 */
export async function rawQuery(config: StoreConfig, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
	switch (config.type) {
		case 'sqlite': {
			const db = new DatabaseSync(config.path);
			try {
				return db.prepare(sql).all(...(params as SQLInputValue[])) as Record<string, unknown>[];
			} finally {
				db.close();
			}
		}
		case 'postgres': {
			const client = new Client({ host: config.host, port: config.port, user: config.user, password: config.password, database: config.database });
			await client.connect();
			try {
				return (await client.query(toPgPlaceholders(sql), params)).rows as Record<string, unknown>[];
			} finally {
				await client.end();
			}
		}
		case 'mysql': {
			const { host, port, user, password, database } = config;
			const connection = await mysqlAdmin({ host, port, user, password, database });
			try {
				const [rows] = await connection.query(sql, params);
				return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
			} finally {
				await connection.end();
			}
		}
	}
}

/** Runs a script of `;`-separated statements (e.g. Prodigy's DDL typed in by hand). */
export async function rawExec(config: StoreConfig, script: string): Promise<void> {
	if (config.type === 'sqlite') {
		const db = new DatabaseSync(config.path);
		try {
			db.exec(script);
		} finally {
			db.close();
		}
		return;
	}
	for (const statement of script.split(/;\s*(?:\n|$)/).map((part) => part.trim()).filter(Boolean)) {
		await rawQuery(config, statement);
	}
}
