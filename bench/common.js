'use strict';
// Shared pieces of the benchmarks: the built library, sizes, timing, task generation and throw-away databases.
// Every benchmark compares the library with a baseline measured in the same run, so only ratios are compared
// between runs: the machines are shared and absolute times move with whatever else is running.
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { DatabaseSync } = require('node:sqlite');

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist', 'lib');

/**
 * The built library as the benchmarks use it; typed from lib/'s sources, which dist/ is compiled from.
 * @typedef {typeof import('../lib/store/index') & typeof import('../lib/hashing') & typeof import('../lib/json')
 *   & typeof import('../lib/tasks') & { versions: typeof import('../lib/versions') }} Lib
 */
/**
 * One result: `line` is printed, the rest goes to bench/results/latest.json; `ratio` is null when it was skipped.
 * @typedef {{ name: string, ratio: number | null, line: string, baseline?: string } & Record<string, unknown>} BenchResult
 */
/** @typedef {{ name: string, run: (context: { lib: Lib }) => Promise<BenchResult[]> }} Benchmark */
/** @typedef {import('../lib/store/index').Task} Task */
/** @typedef {import('../lib/store/index').StoreConfig} StoreConfig */
/** @typedef {'sqlite' | 'postgres' | 'mysql'} Backend */
/** @typedef {{ inputHash: number, taskHash: number, content: Buffer }} SerializedRow an example row as the store writes it */
/** @typedef {{ backend: Backend, config: StoreConfig, drop: () => Promise<void> }} BenchDatabase */
/** @typedef {import('node:sqlite').SQLInputValue} SqlValue */
/**
 * @typedef {object} RawConnection
 * @property {(sql: string) => Promise<unknown>} exec
 * @property {() => Promise<unknown>} begin
 * @property {() => Promise<unknown>} commit
 * @property {(table: string, columns: string[], rows: SqlValue[][]) => Promise<number[]>} insert the new ids, in row order
 * @property {(sql: string, params: SqlValue[]) => Promise<Record<string, any>[]>} select
 * @property {() => Promise<unknown>} close
 */

/**
 * The built library (run.js builds dist/ first when it is missing or older than lib/).
 * @returns {Lib}
 */
function library() {
	return {
		...require(join(DIST, 'store', 'index.js')),
		...require(join(DIST, 'hashing.js')),
		...require(join(DIST, 'json.js')),
		...require(join(DIST, 'tasks.js')),
		versions: require(join(DIST, 'versions.js')),
	};
}

// --- sizes -------------------------------------------------------------------------------------------------------

const SCALE = Number(process.env.BENCH_SCALE ?? 1);

/**
 * A size from its own env var, else the default times BENCH_SCALE.
 * @param {string} envName
 * @param {number} defaultValue
 */
function size(envName, defaultValue) {
	const own = process.env[envName];
	if (own !== undefined && own !== '') return Math.max(1, Math.floor(Number(own)));
	return Math.max(1, Math.floor(defaultValue * (Number.isFinite(SCALE) && SCALE > 0 ? SCALE : 1)));
}

/**
 * A plain number from an env var (not scaled: rounds, repetitions).
 * @param {string} envName
 * @param {number} defaultValue
 */
function setting(envName, defaultValue) {
	const own = Number(process.env[envName]);
	return Number.isFinite(own) && own >= 1 ? Math.floor(own) : defaultValue;
}

/** @type {Backend[]} */
const ALL_BACKENDS = ['sqlite', 'postgres', 'mysql'];

/**
 * Backends from BENCH_BACKENDS (default all three), or from a benchmark's own variable when that is set.
 * @param {string} [ownEnvName]
 * @returns {Backend[]}
 */
function backends(ownEnvName) {
	const own = ownEnvName ? process.env[ownEnvName] : undefined;
	const wanted = (own || process.env.BENCH_BACKENDS || ALL_BACKENDS.join(',')).split(',').map((name) => name.trim()).filter(Boolean);
	const unknown = wanted.filter((name) => !ALL_BACKENDS.includes(/** @type {Backend} */ (name)));
	if (unknown.length > 0) throw new Error(`BENCH_BACKENDS: unknown backend(s) ${unknown.join(', ')} (use ${ALL_BACKENDS.join(', ')})`);
	return /** @type {Backend[]} */ (wanted);
}

// --- measuring ---------------------------------------------------------------------------------------------------

/**
 * A full garbage collection, for just before a timed side: otherwise whichever side runs next pays for the garbage
 * of the one before it (100k tasks leave tens of MB). The flag is set at run time so `npm run bench` needs no
 * node option.
 * @type {() => void}
 */
const collectGarbage = (() => {
	require('node:v8').setFlagsFromString('--expose-gc');
	return require('node:vm').runInNewContext('gc');
})();

function now() {
	return process.hrtime.bigint();
}

/** @param {bigint} since a now() */
function seconds(since) {
	return Number(process.hrtime.bigint() - since) / 1e9;
}

/** @param {number[]} values */
function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * @param {number} measured
 * @param {number} baseline
 */
function ratio(measured, baseline) {
	return baseline > 0 ? measured / baseline : Number.POSITIVE_INFINITY;
}

/** @param {number} value */
function formatRatio(value) {
	if (!Number.isFinite(value)) return 'inf';
	return value >= 10 ? `${value.toFixed(1)}x` : `${value.toFixed(2)}x`;
}

/** @param {number} value */
function formatSeconds(value) {
	if (value < 0.001) return `${(value * 1e6).toFixed(0)}µs`;
	if (value < 1) return `${(value * 1000).toFixed(value < 0.01 ? 2 : 1)}ms`;
	return `${value.toFixed(2)}s`;
}

/** @param {number} value */
function formatBytes(value) {
	const sign = value < 0 ? '-' : '';
	const abs = Math.abs(value);
	if (abs < 1024 * 1024) return `${sign}${(abs / 1024).toFixed(0)}KB`;
	return `${sign}${(abs / (1024 * 1024)).toFixed(1)}MB`;
}

/** @param {number} value */
function formatCount(value) {
	return value >= 1000 && value % 1000 === 0 ? `${value / 1000}k` : String(value);
}

// --- data --------------------------------------------------------------------------------------------------------

const WORDS = (
	'the annotator marked a company name in this news sentence about markets while the model suggested another ' +
	'span with a lower score so the reviewer compared both answers before accepting one label for the example'
).split(' ');
const LABELS = ['ORG', 'PERSON', 'GPE', 'PRODUCT'];

/**
 * A deterministic NER-style task of about 470 bytes as JSON, the shape Prodigy's ner.manual writes: text, tokens
 * are left out (they would dominate the size), spans, meta, answer and session fields.
 * @param {number} index
 * @returns {Task}
 */
function makeTask(index) {
	let state = (index + 1) * 2654435761;
	const next = () => {
		state = (state * 1103515245 + 12345) % 2147483648;
		return state;
	};
	const words = [];
	for (let i = 0; i < 24; i++) words.push(WORDS[next() % WORDS.length]);
	const text = `Example ${index}: ${words.join(' ')}.`;
	// "Example <index>: " is 10 characters plus the digits: the span covers the first word (token 2).
	const start = 10 + String(index).length;
	const spans = [{ start, end: start + words[0].length, label: LABELS[index % LABELS.length], token_start: 2, token_end: 2 }];
	return {
		text,
		meta: { source: 'bench', index, score: (next() % 1000) / 1000 },
		spans,
		answer: index % 7 === 0 ? 'reject' : index % 13 === 0 ? 'ignore' : 'accept',
		_view_id: 'ner_manual',
		_timestamp: 1_700_000_000 + index,
		_session_id: 'bench-alex',
		_annotator_id: 'bench-alex',
	};
}

/**
 * @param {number} count
 * @param {number} [offset]
 */
function makeTasks(count, offset = 0) {
	/** @type {Task[]} */
	const tasks = new Array(count);
	for (let i = 0; i < count; i++) tasks[i] = makeTask(offset + i);
	return tasks;
}

/**
 * Rows as the store writes them (hashes set, content serialized), for the raw baselines and fixtures.
 * @param {Lib} lib
 * @param {Task[]} tasks
 * @returns {SerializedRow[]}
 */
function serializeTasks(lib, tasks) {
	return tasks.map((task) => {
		const hashed = lib.setHashes(task);
		return { inputHash: Number(hashed._input_hash), taskHash: Number(hashed._task_hash), content: Buffer.from(lib.stringifyTask(hashed), 'utf8') };
	});
}

// --- throw-away databases ----------------------------------------------------------------------------------------

const PG_HOST = process.env.PGHOST_TEST ?? '127.0.0.1';
const PG_PORT = Number(process.env.PGPORT_TEST ?? 5432);
const MYSQL_HOST = process.env.MYSQL_HOST_TEST ?? '127.0.0.1';
const MYSQL_PORT = Number(process.env.MYSQL_PORT_TEST ?? 3306);

/** @type {string | undefined} the role that answered first (postgres or root), reused for every later connection */
let pgUser;

/**
 * @param {string} database
 * @returns {Promise<import('pg').Client>}
 */
async function pgClient(database) {
	const { Client } = require('pg');
	const users = pgUser ? [pgUser] : ['postgres', 'root'];
	let lastError;
	for (const user of users) {
		const client = new Client({ host: PG_HOST, port: PG_PORT, user, database, connectionTimeoutMillis: 5000 });
		try {
			await client.connect();
			pgUser = user;
			return client;
		} catch (error) {
			lastError = error;
			await client.end().catch(() => undefined);
			// A missing role is worth the next candidate; a server that is down is not.
			const code = /** @type {{ code?: string }} */ (error).code;
			if (code !== '28000' && code !== '28P01') break;
		}
	}
	throw new Error(`PostgreSQL is not reachable at ${PG_HOST}:${PG_PORT} as postgres or root: ${lastError instanceof Error ? lastError.message : lastError}`);
}

/** @param {string} [database] */
async function mysqlConnection(database) {
	const { createConnection } = require('mysql2/promise');
	try {
		return await createConnection({
			host: MYSQL_HOST,
			port: MYSQL_PORT,
			user: 'root',
			password: '',
			database,
			charset: 'utf8mb4',
			connectTimeout: 5000,
			supportBigNumbers: true,
		});
	} catch (error) {
		throw new Error(`MariaDB / MySQL is not reachable at ${MYSQL_HOST}:${MYSQL_PORT} as root: ${error instanceof Error ? error.message : error}`);
	}
}

/** @type {Set<BenchDatabase>} */
const created = new Set();

/**
 * A fresh empty database: `{ backend, config, drop() }`. Every one still open is dropped by dropAll().
 * @param {Backend} backend
 * @returns {Promise<BenchDatabase>}
 */
async function createDatabase(backend) {
	const name = `prodigy_bench_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
	/** @type {BenchDatabase} */
	let database;
	if (backend === 'sqlite') {
		const dir = mkdtempSync(join(tmpdir(), 'prodigy-bench-'));
		database = {
			backend,
			config: { type: 'sqlite', path: join(dir, 'prodigy.db') },
			drop: async () => rmSync(dir, { recursive: true, force: true }),
		};
	} else if (backend === 'postgres') {
		const admin = await pgClient('postgres');
		try {
			await admin.query(`CREATE DATABASE "${name}"`);
		} finally {
			await admin.end();
		}
		database = {
			backend,
			config: { type: 'postgres', host: PG_HOST, port: PG_PORT, user: /** @type {string} pgClient set it */ (pgUser), password: '', database: name },
			drop: async () => {
				const client = await pgClient('postgres');
				try {
					await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
				} finally {
					await client.end();
				}
			},
		};
	} else if (backend === 'mysql') {
		const admin = await mysqlConnection();
		try {
			await admin.query(`CREATE DATABASE \`${name}\``);
		} finally {
			await admin.end();
		}
		database = {
			backend,
			config: { type: 'mysql', host: MYSQL_HOST, port: MYSQL_PORT, user: 'root', password: '', database: name },
			drop: async () => {
				const connection = await mysqlConnection();
				try {
					await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
				} finally {
					await connection.end();
				}
			},
		};
	} else {
		throw new Error(`unknown backend ${backend}`);
	}
	const drop = database.drop;
	database.drop = async () => {
		created.delete(database);
		await drop();
	};
	created.add(database);
	return database;
}

async function dropAll() {
	const failures = [];
	for (const database of [...created]) {
		try {
			await database.drop();
		} catch (error) {
			failures.push(`${database.backend}: ${error instanceof Error ? error.message : error}`);
		}
	}
	return failures;
}

// --- raw driver access (the baselines) ---------------------------------------------------------------------------

/**
 * A plain driver connection to a bench database, with just what the baselines need: run the schema, a
 * transaction, and the driver's own multi-row INSERT returning the new ids.
 * @param {{ backend: Backend, config: StoreConfig }} database
 * @returns {Promise<RawConnection>}
 */
async function rawConnection(database) {
	const { config } = database;
	if (config.type === 'sqlite') {
		const db = new DatabaseSync(config.path);
		/** @type {Map<string, import('node:sqlite').StatementSync>} */
		const statements = new Map();
		/** @param {string} sql */
		const prepare = (sql) => {
			let statement = statements.get(sql);
			if (!statement) {
				statement = db.prepare(sql);
				statements.set(sql, statement);
			}
			return statement;
		};
		return {
			exec: async (sql) => db.exec(sql),
			begin: async () => db.exec('BEGIN IMMEDIATE'),
			commit: async () => db.exec('COMMIT'),
			insert: async (table, columns, rows) => {
				const row = `(${columns.map(() => '?').join(', ')})`;
				const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${rows.map(() => row).join(', ')} RETURNING "id"`;
				return prepare(sql)
					.all(...rows.flat())
					.map((r) => Number(r.id));
			},
			select: async (sql, params) => prepare(sql).all(...params),
			close: async () => db.close(),
		};
	}
	if (config.type === 'postgres') {
		const client = await pgClient(config.database);
		return {
			exec: async (sql) => {
				await client.query(sql);
			},
			begin: async () => {
				await client.query('BEGIN');
			},
			commit: async () => {
				await client.query('COMMIT');
			},
			insert: async (table, columns, rows) => {
				let index = 0;
				const values = rows.map((row) => `(${row.map(() => `$${++index}`).join(', ')})`).join(', ');
				const result = await client.query(
					`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values} RETURNING "id"`,
					rows.flat(),
				);
				return result.rows.map((r) => Number(r.id));
			},
			select: async (sql, params) => {
				let index = 0;
				return (await client.query(sql.replace(/\?/g, () => `$${++index}`), params)).rows;
			},
			close: () => client.end(),
		};
	}
	const connection = await mysqlConnection(config.database);
	return {
		exec: async (sql) => {
			await connection.query(sql);
		},
		begin: () => connection.beginTransaction(),
		commit: () => connection.commit(),
		// mysql2's own bulk form (`VALUES ?` with an array of rows); innodb_autoinc_lock_mode 0/1 gives a multi-row
		// INSERT one consecutive block of ids starting at insertId.
		insert: async (table, columns, rows) => {
			const sql = `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ?`;
			const [header] = /** @type {[import('mysql2/promise').ResultSetHeader, unknown]} */ (await connection.query(sql, [rows]));
			return rows.map((_, i) => header.insertId + i);
		},
		select: async (sql, params) => {
			const [rows] = /** @type {[import('mysql2/promise').RowDataPacket[], unknown]} */ (await connection.query(sql.replace(/"/g, '`'), params));
			return rows;
		},
		close: () => connection.end(),
	};
}

/**
 * Prodigy's schema through a raw connection (untimed set-up for baselines and fixtures).
 * @param {Lib} lib
 * @param {RawConnection} raw
 * @param {Backend} backend
 */
async function createSchema(lib, raw, backend) {
	for (const table of lib.prodigySchema(backend)) for (const statement of table.statements) await raw.exec(statement);
}

const ROWS_PER_STATEMENT = 500;

/**
 * The raw bulk write: dataset row, examples, links, in one transaction, ROWS_PER_STATEMENT rows per INSERT.
 * @param {RawConnection} raw
 * @param {string} datasetName
 * @param {SerializedRow[]} rows
 * @param {number} [created] the dataset's created timestamp
 */
async function rawBulkInsert(raw, datasetName, rows, created = 1_700_000_000) {
	await raw.begin();
	const [datasetId] = await raw.insert('dataset', ['name', 'created', 'meta', 'session'], [[datasetName, created, Buffer.from('{}'), 0]]);
	const exampleIds = [];
	for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
		const chunk = rows.slice(i, i + ROWS_PER_STATEMENT).map((row) => [row.inputHash, row.taskHash, row.content]);
		exampleIds.push(...(await raw.insert('example', ['input_hash', 'task_hash', 'content'], chunk)));
	}
	for (let i = 0; i < exampleIds.length; i += ROWS_PER_STATEMENT) {
		const chunk = exampleIds.slice(i, i + ROWS_PER_STATEMENT).map((id) => [id, datasetId]);
		await raw.insert('link', ['example_id', 'dataset_id'], chunk);
	}
	await raw.commit();
	return { datasetId, count: exampleIds.length };
}

module.exports = {
	ROOT,
	DIST,
	library,
	size,
	setting,
	backends,
	collectGarbage,
	now,
	seconds,
	median,
	ratio,
	formatRatio,
	formatSeconds,
	formatBytes,
	formatCount,
	makeTask,
	makeTasks,
	serializeTasks,
	createDatabase,
	dropAll,
	rawConnection,
	createSchema,
	rawBulkInsert,
	ROWS_PER_STATEMENT,
};
