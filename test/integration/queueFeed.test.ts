// feed/prodigy_queue_feed.py against the real databases: a reader process (the system Python with peewee, as where
// Prodigy runs) follows a queue dataset while the pack's store adds tasks in concurrent transactions, some held open
// so that they commit after later ones (PostgreSQL / MariaDB give ids at INSERT and show rows at COMMIT). Every task
// must come out exactly once, byte for byte as stored, in link order; tasks answered in the annotations dataset never;
// and a restart continues where the feed stopped.
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';

import { createConnection, type Connection } from 'mysql2/promise';
import { Client } from 'pg';

import { openStore } from '../../lib/store';
import type { ProdigyStore, StoreConfig, Task } from '../../lib/store/types';
import { BACKENDS, createTestDatabase, rawQuery, type BackendName, type TestDatabase } from '../helpers/databases';
import { FEED_SCRIPT, PYTHON, createProdigyHome, missingPython, runFeed, startFeed, type ProdigyHome } from '../helpers/queueFeed';

const MISSING = missingPython();
// CI must run these tests: without Prodigy's Python stack they fail there (.ci/run installs it), and skip elsewhere.
const IN_CI = process.env.CI === 'true';
if (MISSING && !IN_CI) console.warn(`Queue feed tests skipped: ${MISSING}`);
const describeFeed = MISSING && !IN_CI ? describe.skip : describe;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(25);
	}
}

/** The promise's value, or null when it takes longer than `ms` (the timer is cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([promise, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)))]);
	} finally {
		clearTimeout(timer);
	}
}

function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let value = state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
	};
}

function text(value: unknown): string {
	return Buffer.from(value as Uint8Array).toString('utf8');
}

interface QueueRow {
	linkId: number;
	content: string;
	inputHash: number;
	taskHash: number;
}

/** The dataset's links in id order with their examples' stored bytes, read the way Prodigy sees them. */
async function datasetRows(config: StoreConfig, dataset: string): Promise<QueueRow[]> {
	const rows = await rawQuery(
		config,
		'SELECT l.id AS link_id, e.content AS content, e.input_hash AS input_hash, e.task_hash AS task_hash FROM link l ' +
			'JOIN example e ON e.id = l.example_id JOIN dataset d ON d.id = l.dataset_id WHERE d.name = ? ORDER BY l.id',
		[dataset],
	);
	return rows.map((row) => ({
		linkId: Number(row.link_id),
		content: text(row.content),
		inputHash: Number(row.input_hash),
		taskHash: Number(row.task_hash),
	}));
}

/** What the feed must print: the queue's stored contents in link order, without the answered hashes. */
async function expectedLines(config: StoreConfig, queue: string, answers: string, by: 'input' | 'task' = 'input'): Promise<string[]> {
	const key = (row: QueueRow) => (by === 'input' ? row.inputHash : row.taskHash);
	const answered = new Set((await datasetRows(config, answers)).map(key));
	return (await datasetRows(config, queue)).filter((row) => !answered.has(key(row))).map((row) => row.content);
}

/**
 * Holds chosen writers' transactions open after they inserted their links: a trigger on link waits on a lock the
 * test holds whenever the example's content contains HOLD-. Other writers commit meanwhile, with higher ids.
 */
interface Gate {
	hold(): Promise<void>;
	/** Writers waiting at the gate. */
	waiting(): Promise<number>;
	/** What the database's sessions are doing (for a failure message). */
	describe(): Promise<string>;
	release(): Promise<void>;
	close(): Promise<void>;
}

async function installGate(config: StoreConfig): Promise<Gate | null> {
	if (config.type === 'postgres') {
		await rawQuery(
			config,
			"CREATE FUNCTION feed_gate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF EXISTS (SELECT 1 FROM example WHERE id = NEW.example_id AND position('HOLD-' in convert_from(content, 'UTF8')) > 0) THEN PERFORM pg_advisory_xact_lock_shared(4242); END IF; RETURN NEW; END $$",
		);
		await rawQuery(config, 'CREATE TRIGGER feed_gate AFTER INSERT ON link FOR EACH ROW EXECUTE PROCEDURE feed_gate()');
		const client = new Client({ host: config.host, port: config.port, user: config.user, password: config.password, database: config.database });
		await client.connect();
		return {
			hold: async () => void (await client.query('SELECT pg_advisory_lock(4242)')),
			waiting: async () =>
				Number(
					(
						await client.query(
							"SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
						)
					).rows[0].n,
				),
			describe: async () =>
				JSON.stringify((await client.query('SELECT pid, state, wait_event_type, query FROM pg_stat_activity WHERE datname = current_database()')).rows),
			release: async () => void (await client.query('SELECT pg_advisory_unlock(4242)')),
			close: () => client.end(),
		};
	}
	if (config.type === 'mysql') {
		await rawQuery(config, 'CREATE TABLE feed_gate (id INTEGER NOT NULL PRIMARY KEY) ENGINE=InnoDB');
		await rawQuery(config, 'INSERT INTO feed_gate (id) VALUES (1)');
		await rawQuery(
			config,
			"CREATE TRIGGER feed_gate AFTER INSERT ON link FOR EACH ROW BEGIN DECLARE held INTEGER; IF (SELECT LOCATE('HOLD-', content) FROM example WHERE id = NEW.example_id) > 0 THEN SELECT id INTO held FROM feed_gate WHERE id = 1 LOCK IN SHARE MODE; END IF; END",
		);
		const { host, port, user, password, database } = config;
		const connection: Connection = await createConnection({ host, port, user, password, database });
		return {
			hold: async () => {
				await connection.query('START TRANSACTION');
				await connection.query('SELECT id FROM feed_gate WHERE id = 1 FOR UPDATE');
			},
			// A writer stopped at the gate is running the trigger's locking read (PROCESSLIST shows that statement, not
			// the INSERT); INNODB_TRX's 'LOCK WAIT' is no reliable sign on MariaDB 10.11 (see concurrentWriters.test.ts).
			waiting: async () => {
				const [rows] = (await connection.query(
					"SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID() AND INFO LIKE '%FROM feed_gate%LOCK IN SHARE MODE%'",
					[database],
				)) as unknown as [Array<{ n: number }>];
				return Number(rows[0].n);
			},
			describe: async () => {
				const [rows] = await connection.query('SELECT ID, COMMAND, TIME, STATE, INFO FROM information_schema.PROCESSLIST WHERE DB = ?', [database]);
				return JSON.stringify(rows);
			},
			release: async () => void (await connection.query('COMMIT')),
			close: () => connection.end(),
		};
	}
	// SQLite: a writer holds the file's write lock from its first insert to COMMIT, so commits come in id order.
	return null;
}

const QUEUE = 'feed_queue';
const ANSWERS = 'feed_answers';

describeFeed.each(BACKENDS)('the queue feed (feed/prodigy_queue_feed.py) on %s', (backend: BackendName) => {
	let db: TestDatabase;
	let home: ProdigyHome;
	let store: ProdigyStore;

	beforeAll(async () => {
		if (MISSING) throw new Error(MISSING);
		db = await createTestDatabase(backend);
		home = await createProdigyHome(db.config);
		store = openStore(db.config);
		await store.ensureSchema();
	});

	afterAll(async () => {
		await store?.close();
		await home?.cleanup();
		await db?.cleanup();
	});

	it('prints every task once, as stored, in link order, never an answered one, while writers commit out of order', async () => {
		const initial: Task[] = Array.from({ length: 12 }, (_, i) => ({ text: `initial-${i}`, meta: { n: i } }));
		initial.push({ text: 'naïve café ✓ 𝄞 "quoted" \\ back', meta: { score: 0.5 } });
		await store.addExamples(QUEUE, initial);
		// Answered before the feed starts, and one answered before it is ever queued.
		await store.addExamples(ANSWERS, [
			{ text: 'initial-3', answer: 'accept' },
			{ text: 'initial-8', answer: 'reject' },
			{ text: 'later-1', answer: 'ignore' },
		]);

		const feed = startFeed(home.dir, [QUEUE, '--exclude', ANSWERS, '--follow', '--poll', '0.2']);
		const writers = [openStore(db.config), openStore(db.config), openStore(db.config)];
		const gate = await installGate(db.config);
		let held: Promise<unknown> | undefined;
		try {
			await feed.waitForLines(11);
			expect(feed.lines).toEqual(await expectedLines(db.config, QUEUE, ANSWERS));

			if (gate) {
				// A transaction takes the lower link ids and stays open; another commits higher ids at once. A cursor of
				// "highest id seen" would print the later one and skip the first forever.
				await gate.hold();
				held = writers[0].addExamples(QUEUE, [{ text: 'HOLD-0' }, { text: 'HOLD-1' }, { text: 'HOLD-2' }]);
				await until(async () => (await gate.waiting()) >= 1, 'the held writer to reach the gate').catch(async (error: Error) => {
					throw new Error(`${error.message}; sessions: ${await gate.describe()}`);
				});
				await writers[1].addExamples(QUEUE, [{ text: 'fast-0' }, { text: 'fast-1' }]);
				// Longer than the feed needs to see the committed rows (MySQL: its 1 s allocation grace, plus polls).
				await sleep(2500);
				expect(feed.lines).toHaveLength(11);
				await gate.release();
				await held;
				const rows = await datasetRows(db.config, QUEUE);
				const holdIds = rows.filter((row) => row.content.includes('HOLD-')).map((row) => row.linkId);
				const fastIds = rows.filter((row) => row.content.includes('fast-')).map((row) => row.linkId);
				expect(Math.max(...holdIds)).toBeLessThan(Math.min(...fastIds));
			}

			/** Concurrent transactions of random sizes; on PostgreSQL / MariaDB some wait at the gate for a while. */
			async function randomWriter(index: number): Promise<void> {
				const random = mulberry32(index + 1);
				for (let round = 0; round < 5; round++) {
					const hold = gate !== null && random() < 0.3;
					const size = 1 + Math.floor(random() * 5);
					const tasks = Array.from({ length: size }, (_, i) => ({ text: `${hold ? 'HOLD-' : ''}w${index}-${round}-${i}` }));
					await writers[index].addExamples(QUEUE, tasks);
					await sleep(Math.floor(random() * 120));
				}
			}
			/** Opens the gate now and then, so held writers commit after writers that started later. */
			async function gatekeeper(stop: () => boolean): Promise<void> {
				if (!gate) return;
				while (!stop()) {
					await gate.hold();
					await sleep(400);
					await gate.release();
					await sleep(50);
				}
			}
			/** Answers some tasks before they are queued: the feed must never print those. */
			async function answerThenQueue(): Promise<void> {
				for (let k = 0; k < 4; k++) {
					if (k % 2 === 0) await store.addExamples(ANSWERS, [{ text: `later-${k}`, answer: 'accept' }]);
					await store.addExamples(QUEUE, [{ text: `later-${k}` }]);
					await sleep(60);
				}
			}
			let writing = true;
			const keeper = gatekeeper(() => !writing);
			await Promise.all([randomWriter(0), randomWriter(1), randomWriter(2), answerThenQueue()]).finally(() => (writing = false));
			await keeper;

			const expected = await expectedLines(db.config, QUEUE, ANSWERS);
			await feed.waitForLines(expected.length, 40_000);
			await sleep(1000);
			expect(feed.lines).toEqual(expected);
			expect(new Set(feed.lines).size).toBe(feed.lines.length);
			for (const answered of ['initial-3', 'initial-8', 'later-0', 'later-1', 'later-2']) {
				expect(feed.lines.some((line) => (JSON.parse(line) as Task).text === answered)).toBe(false);
			}
			expect(feed.lines.some((line) => (JSON.parse(line) as Task).text === 'later-3')).toBe(true);
			expect(feed.lines).toContain((await datasetRows(db.config, QUEUE)).find((row) => row.content.includes('café'))?.content);

			feed.kill('SIGTERM');
			expect(await feed.exited).toEqual({ code: 0, signal: null });
			expect(feed.stderr()).not.toContain('Traceback');
		} finally {
			feed.kill('SIGKILL');
			await gate?.release().catch(() => undefined);
			await held?.catch(() => undefined);
			await gate?.close();
			await Promise.all(writers.map((writer) => writer.close()));
		}
	}, 180_000);

	it('continues after the last printed task with --cursor, and starts over without answered ones without it', async () => {
		const queue = 'cursor_queue';
		const answers = 'cursor_answers';
		const cursor = `${home.dir}/${queue}.cursor.json`;
		const args = [queue, '--exclude', answers, '--cursor', cursor];
		await store.addExamples(queue, [0, 1, 2, 3, 4].map((i) => ({ text: `c-${i}` })));

		const first = await runFeed(home.dir, args);
		expect(first.exit.code).toBe(0);
		expect(first.lines.map((line) => (JSON.parse(line) as Task).text)).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4']);
		expect((await runFeed(home.dir, args)).lines).toEqual([]);

		await store.addExamples(queue, [5, 6, 7].map((i) => ({ text: `c-${i}` })));
		expect((await runFeed(home.dir, args)).lines.map((line) => (JSON.parse(line) as Task).text)).toEqual(['c-5', 'c-6', 'c-7']);

		// Stopped while following, then started again: nothing twice, nothing missing.
		const following = startFeed(home.dir, [...args, '--follow', '--poll', '0.2']);
		try {
			await store.addExamples(queue, [{ text: 'c-8' }]);
			await store.addExamples(queue, [{ text: 'c-9' }]);
			await following.waitForLines(2);
			following.kill('SIGTERM');
			expect(await following.exited).toEqual({ code: 0, signal: null });
		} finally {
			following.kill('SIGKILL');
		}
		await store.addExamples(queue, [{ text: 'c-10' }]);
		const again = startFeed(home.dir, [...args, '--follow', '--poll', '0.2']);
		try {
			await store.addExamples(queue, [{ text: 'c-11' }]);
			await again.waitForLines(2);
			await sleep(800);
			expect([...following.lines, ...again.lines].map((line) => (JSON.parse(line) as Task).text)).toEqual(['c-8', 'c-9', 'c-10', 'c-11']);
			again.kill('SIGTERM');
			expect((await again.exited).code).toBe(0);
		} finally {
			again.kill('SIGKILL');
		}

		// Without a cursor a restart re-derives what is left from the answers (what a restarted Prodigy needs).
		await store.addExamples(answers, ['c-1', 'c-4', 'c-9'].map((value) => ({ text: value, answer: 'accept' })));
		const rederived = await runFeed(home.dir, [queue, '--exclude', answers]);
		expect(rederived.lines).toEqual(await expectedLines(db.config, queue, answers));
		expect(rederived.lines.map((line) => (JSON.parse(line) as Task).text)).toEqual(
			['c-0', 'c-2', 'c-3', 'c-5', 'c-6', 'c-7', 'c-8', 'c-10', 'c-11'],
		);

		// A cursor file belongs to one queue.
		const wrong = await runFeed(home.dir, [QUEUE, '--cursor', cursor]);
		expect(wrong.exit.code).toBe(2);
		expect(wrong.stderr).toContain(`belongs to the queue "${queue}"`);
	}, 120_000);

	it('prints tasks added after the newest ones were deleted (SQLite reuses their ids) and a queue created again', async () => {
		const queue = 'reuse_queue';
		const cursor = `${home.dir}/${queue}.cursor.json`;
		const feed = startFeed(home.dir, [queue, '--follow', '--poll', '0.2', '--cursor', cursor]);
		try {
			await store.addExamples(queue, [{ text: 'u-0' }, { text: 'u-1' }]);
			await feed.waitForLines(2);
			const [newest] = await store.addExamples(queue, [{ text: 'u-2' }]).then((result) => result.examples);
			await feed.waitForLines(3);
			// The newest link goes; on SQLite the next one gets its id again.
			await store.removeExamples(queue, { exampleIds: [newest.exampleId as number] });
			await sleep(600);
			const [again] = await store.addExamples(queue, [{ text: 'u-3' }]).then((result) => result.examples);
			if (backend === 'sqlite') expect(again.linkId).toBe(newest.linkId);
			await feed.waitForLines(4);

			// Dropped and created again, one poll apart (on SQLite deleting the newest links and adding new ones within
			// one poll hides the new ones: docs/queue-feed.md, Limits).
			await store.dropDataset(queue);
			await sleep(600);
			await store.addExamples(queue, [{ text: 'v-0' }, { text: 'v-1' }]);
			await feed.waitForLines(6);
			await sleep(600);
			expect(feed.lines.map((line) => (JSON.parse(line) as Task).text)).toEqual(['u-0', 'u-1', 'u-2', 'u-3', 'v-0', 'v-1']);
			feed.kill('SIGTERM');
			expect((await feed.exited).code).toBe(0);
		} finally {
			feed.kill('SIGKILL');
		}
		expect((await runFeed(home.dir, [queue, '--cursor', cursor])).lines).toEqual([]);
	}, 60_000);

	it('skips by input hash by default and by task hash when asked', async () => {
		const queue = 'ways_queue';
		const answers = 'ways_answers';
		await store.addExamples(queue, [
			{ text: 'same input', label: 'A' },
			{ text: 'same input', label: 'B' },
			{ text: 'other input', label: 'A' },
		]);
		await store.addExamples(answers, [{ text: 'same input', label: 'A', answer: 'accept' }]);
		const byInput = await runFeed(home.dir, [queue, '--exclude', answers]);
		expect(byInput.lines.map((line) => JSON.parse(line) as Task)).toEqual([expect.objectContaining({ text: 'other input', label: 'A' })]);
		const byTask = await runFeed(home.dir, [queue, '--exclude', answers, '--by', 'task']);
		expect(byTask.lines).toEqual(await expectedLines(db.config, queue, answers, 'task'));
		expect(byTask.lines.map((line) => (JSON.parse(line) as Task).label)).toEqual(['B', 'A']);
	}, 60_000);

	it('gives a custom recipe the same tasks through iter_queue (for a Prodigy that cannot read standard input)', async () => {
		const queue = 'recipe_queue';
		const answers = 'recipe_answers';
		await store.addExamples(queue, Array.from({ length: 7 }, (_, i) => ({ text: `r-${i}` })));
		await store.addExamples(answers, [{ text: 'r-2', answer: 'accept' }]);
		const script = [
			'import json, sys',
			`sys.path.insert(0, ${JSON.stringify(dirname(FEED_SCRIPT))})`,
			'from prodigy_queue_feed import iter_queue',
			`for task in iter_queue(${JSON.stringify(queue)}, exclude=[${JSON.stringify(answers)}], follow=False):`,
			'    print(json.dumps(task["text"]))',
		].join('\n');
		const result = spawnSync(PYTHON, ['-c', script], { cwd: home.dir, env: { ...process.env, PRODIGY_HOME: home.dir, PYTHONDONTWRITEBYTECODE: '1' }, encoding: 'utf8' });
		expect(result.stderr).not.toContain('Traceback');
		expect(result.status).toBe(0);
		expect(result.stdout.trim().split('\n').map((line) => JSON.parse(line) as string)).toEqual(['r-0', 'r-1', 'r-3', 'r-4', 'r-5', 'r-6']);
	}, 60_000);

	it('ends cleanly when its reader goes away, and says which dataset is missing', async () => {
		const queue = 'pipe_queue';
		await store.addExamples(queue, [{ text: 'p-0' }, { text: 'p-1' }]);
		const feed = startFeed(home.dir, [queue, '--follow', '--poll', '0.2']);
		try {
			await feed.waitForLines(2);
			feed.closeStdout();
			const exit = await within(feed.exited, 10_000);
			expect(exit).toEqual({ code: 0, signal: null });
			expect(feed.stderr()).not.toContain('Traceback');
		} finally {
			feed.kill('SIGKILL');
		}

		const missing = await runFeed(home.dir, ['no_such_queue']);
		expect(missing.exit.code).toBe(2);
		expect(missing.stderr).toContain('the queue dataset "no_such_queue" does not exist');
	}, 60_000);
});
