// Bad input and bad connections: a clear error, nothing written, and never the password in any message.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { ContentTooLargeError, ProdigyConnectionError, ProdigyError } from '../../lib/errors';
import { setHashes } from '../../lib/hashing';
import { stringifyTask } from '../../lib/json';
import { openStore, type StoreConfig, type Task } from '../../lib/store';
import { DatabaseError } from '../../lib/store/dialect';
import { MYSQL_HOST, MYSQL_PORT, PG_HOST, PG_PORT, createTestDatabase, rawExec, rawQuery, type TestDatabase } from '../helpers/databases';
import { collect, rawExamples, rowCounts } from '../helpers/rows';
import { failure } from '../helpers/failure';

const SECRET = 'Sup3r-S3cret-Pa55word!';

/** Everything an error could leak through: message, hint, stack, own properties, cause chain. */
function everythingIn(error: unknown): string {
	const parts: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current && depth < 5; depth++) {
		const e = current as Error & { hint?: string; cause?: unknown };
		parts.push(String(e.message), String(e.hint), String(e.stack), JSON.stringify(e, Object.getOwnPropertyNames(e)));
		current = e.cause;
	}
	return parts.join('\n');
}


/** A task whose stored JSON is exactly `bytes` long (carried hashes keep the size independent of the text). */
function taskOfSize(bytes: number, extra: Task = {}): Task {
	const task = (text: string): Task => ({ ...extra, text, _input_hash: 1, _task_hash: 2 });
	const overhead = Buffer.byteLength(stringifyTask(task('')), 'utf8');
	const result = task('x'.repeat(bytes - overhead));
	expect(Buffer.byteLength(stringifyTask(setHashes(result)), 'utf8')).toBe(bytes);
	return result;
}

describe.each([
	['postgres', { type: 'postgres', host: PG_HOST, port: PG_PORT, database: 'test' }],
	['mysql', { type: 'mysql', host: MYSQL_HOST, port: MYSQL_PORT, database: 'test' }],
] as const)('connection errors on %s', (_name, server) => {
	it('names server, database and user, never the password, for a refused login', async () => {
		const user = server.type === 'mysql' ? 'root' : 'prodigy_no_such_user';
		const store = openStore({ ...server, user, password: SECRET } as StoreConfig);
		try {
			const error = await failure<ProdigyError>(() => store.listDatasets());
			expect(error).toBeInstanceOf(ProdigyConnectionError);
			expect(error.message).toContain(`${server.host}:${server.port}`);
			expect(error.message).toContain(`database "test"`);
			expect(error.message).toContain(`user "${user}"`);
			expect(error.hint).toMatch(/user name and password/);
			expect(everythingIn(error)).not.toContain(SECRET);
			// Writes fail the same way, before anything else happens.
			const writeError = await failure<ProdigyError>(() => store.addExamples('news', [{ text: 'a' }]));
			expect(writeError).toBeInstanceOf(ProdigyConnectionError);
			expect(everythingIn(writeError)).not.toContain(SECRET);
		} finally {
			await store.close();
		}
	});

	it('says the server is not reachable', async () => {
		const store = openStore({ ...server, port: 1, user: 'root', password: SECRET } as StoreConfig);
		try {
			const error = await failure<ProdigyError>(() => store.hasSchema());
			expect(error).toBeInstanceOf(ProdigyConnectionError);
			expect(error.message).toContain(`${server.host}:1`);
			expect(error.hint).toMatch(/running and reachable/);
			expect(everythingIn(error)).not.toContain(SECRET);
		} finally {
			await store.close();
		}
	});

	it('says the database does not exist', async () => {
		const user = server.type === 'mysql' ? 'root' : 'postgres';
		const store = openStore({ ...server, user, password: '', database: 'prodigy_missing_db_x' } as StoreConfig);
		try {
			const error = await failure<ProdigyError>(() => store.listDatasets());
			expect(error).toBeInstanceOf(ProdigyConnectionError);
			expect(error.hint).toMatch(/Create the database "prodigy_missing_db_x"/);
		} finally {
			await store.close();
		}
	});
});

describe('SQLite file errors', () => {
	let db: TestDatabase;
	beforeEach(async () => {
		db = await createTestDatabase('sqlite');
	});
	afterEach(() => db.cleanup());

	it('explains a path whose folder does not exist', async () => {
		const path = join(dirname((db.config as { path: string }).path), 'no', 'such', 'prodigy.db');
		const store = openStore({ type: 'sqlite', path });
		const error = await failure<ProdigyError>(() => store.listDatasets());
		expect(error).toBeInstanceOf(ProdigyConnectionError);
		expect(error.message).toContain(path);
		expect(error.hint).toMatch(/folder must exist/);
		await store.close();
	});

	it('explains a file that is not a database', async () => {
		const { path } = db.config as { path: string };
		await writeFile(path, 'this is not a database, just some text that is long enough to look like a header '.repeat(20));
		const store = openStore(db.config);
		const error = await failure<ProdigyError>(() => store.listDatasets());
		expect(error).toBeInstanceOf(ProdigyConnectionError);
		expect(error.message).toMatch(/not a database/);
		await store.close();
	});

	it('waits for another process holding the write lock (busy timeout), then writes', async () => {
		const { path } = db.config as { path: string };
		const store = openStore({ type: 'sqlite', path, busyTimeoutMs: 20_000 });
		await store.ensureSchema();
		// Another process (Prodigy, say) holds the write lock for a while and writes one example.
		const holder = spawn(
			process.execPath,
			[
				'-e',
				`const { DatabaseSync } = require('node:sqlite');
				const db = new DatabaseSync(${JSON.stringify(path)});
				db.exec('BEGIN IMMEDIATE');
				db.exec("INSERT INTO dataset (name, created, meta, session) VALUES ('held', 1, X'7b7d', 0)");
				process.stdout.write('locked\\n');
				Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 700);
				db.exec('COMMIT');
				db.close();`,
			],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		const exited = new Promise<number | null>((resolve) => holder.on('exit', resolve));
		await new Promise<void>((resolve, reject) => {
			holder.stdout.on('data', (chunk: Buffer) => {
				if (chunk.toString().includes('locked')) resolve();
			});
			holder.on('exit', () => reject(new Error('the lock holder exited before locking')));
		});
		try {
			const result = await store.addExamples('news', [{ text: 'a' }]);
			expect(result.added).toBe(1);
			expect(await exited).toBe(0);
			expect((await store.listDatasets()).map((d) => d.name)).toEqual(['held', 'news']);
		} finally {
			await store.close();
		}
	});

	it('gives a clear error when the lock is not released in time, writing nothing', async () => {
		const { path } = db.config as { path: string };
		const store = openStore({ type: 'sqlite', path, busyTimeoutMs: 100 });
		await store.addExamples('news', [{ text: 'a' }]);
		const other = new DatabaseSync(path);
		other.exec('BEGIN IMMEDIATE');
		try {
			const error = await failure<ProdigyError>(() => store.addExamples('news', [{ text: 'b' }]));
			expect(error).toBeInstanceOf(DatabaseError);
			expect(error.message).toMatch(/locked for 100 ms/);
			expect(error.hint).toMatch(/Another process/);
		} finally {
			other.exec('ROLLBACK');
			other.close();
		}
		expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 1, link: 1 });
		await store.addExamples('news', [{ text: 'b' }]);
		expect(await store.countExamples('news')).toBe(2);
		await store.close();
	});
});

describe('content size', () => {
	it.each(['sqlite', 'postgres'] as const)('%s stores a 200 kB task intact', async (backend) => {
		const db = await createTestDatabase(backend);
		const store = openStore(db.config);
		try {
			const task = taskOfSize(200_000);
			await store.addExamples('news', [task]);
			const [row] = await rawExamples(db.config);
			expect(Buffer.byteLength(row.content)).toBe(200_000);
			const [record] = await collect(store.getExamples('news'));
			expect(record.task.text).toBe(task.text);
		} finally {
			await store.close();
			await db.cleanup();
		}
	});

	describe('on MySQL (BLOB holds 65,535 bytes)', () => {
		let db: TestDatabase;
		beforeEach(async () => {
			db = await createTestDatabase('mysql');
		});
		afterEach(() => db.cleanup());

		it('refuses an over-long task with its index before writing anything, not even the schema', async () => {
			const store = openStore(db.config);
			try {
				const error = await failure<ProdigyError>(() => store.addExamples('news', [{ text: 'a' }, { text: 'b' }, taskOfSize(65_536)]));
				expect(error).toBeInstanceOf(ContentTooLargeError);
				expect((error as ContentTooLargeError).index).toBe(2);
				expect(error.message).toMatch(/^Task 2: The task is 65,536 bytes as JSON; the database's content column holds at most 65,535 bytes/);
				expect(await rowCounts(db.config)).toBeNull();

				await store.addExamples('news', [{ text: 'a' }]);
				await expect(store.addExamples('news', [taskOfSize(70_000), { text: 'b' }], { session: 'alex' })).rejects.toThrow(ContentTooLargeError);
				expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 1, link: 1 });
			} finally {
				await store.close();
			}
		});

		it('stores a task of exactly 65,535 bytes intact', async () => {
			const store = openStore(db.config);
			try {
				const task = taskOfSize(65_535, { meta: { note: 'ü' } });
				await store.addExamples('news', [task]);
				const [row] = await rawExamples(db.config);
				expect(Buffer.byteLength(row.content)).toBe(65_535);
				expect(JSON.parse(row.content)).toMatchObject({ text: task.text, meta: { note: 'ü' } });
			} finally {
				await store.close();
			}
		});

		it('splits a batch larger than max_allowed_packet into several statements, still one transaction', async () => {
			const store = openStore(db.config);
			try {
				const [{ packet }] = await rawQuery(db.config, 'SELECT @@max_allowed_packet AS packet');
				const count = Math.ceil((Number(packet) * 1.2) / 60_000);
				const text = 'x'.repeat(60_000);
				const tasks = Array.from({ length: count }, (_, i) => ({ text, n: i, _input_hash: i, _task_hash: i }));
				const result = await store.addExamples('news', tasks, { rowsPerInsert: 1000 });
				expect(result.added).toBe(count);
				const rows = await rawExamples(db.config);
				expect(rows.map((row) => (JSON.parse(row.content) as { n: number }).n)).toEqual(tasks.map((t) => t.n));
			} finally {
				await store.close();
			}
		});

		it('uses a content column widened by hand as it is, never altering it', async () => {
			await rawExec(
				db.config,
				[
					'CREATE TABLE `dataset` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, `name` VARCHAR(255) NOT NULL, `created` BIGINT NOT NULL, `meta` BLOB NOT NULL, `session` BOOL NOT NULL)',
					'CREATE UNIQUE INDEX `dataset_name` ON `dataset` (`name`)',
					'CREATE TABLE `example` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, `input_hash` BIGINT NOT NULL, `task_hash` BIGINT NOT NULL, `content` LONGBLOB NOT NULL)',
					'CREATE TABLE `link` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, `example_id` INTEGER NOT NULL, `dataset_id` INTEGER NOT NULL, FOREIGN KEY (`example_id`) REFERENCES `example` (`id`), FOREIGN KEY (`dataset_id`) REFERENCES `dataset` (`id`))',
				].join(';\n'),
			);
			const store = openStore(db.config);
			try {
				await store.addExamples('news', [taskOfSize(100_000)]);
				const [row] = await rawExamples(db.config);
				expect(Buffer.byteLength(row.content)).toBe(100_000);
				const [column] = await rawQuery(
					db.config,
					"SELECT data_type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'example' AND column_name = 'content'",
				);
				expect(String(column.data_type ?? column.DATA_TYPE)).toBe('longblob');
			} finally {
				await store.close();
			}
		});
	});
});
