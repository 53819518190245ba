// THE concurrency test of the Prodigy Trigger's cursor, on the real PostgreSQL and MariaDB: several writers insert
// annotations in transactions that stay open for a while (so ids are assigned at INSERT but become visible at
// COMMIT, out of id order), some roll back, and a poller runs the real node throughout. Every committed link of the
// watched dataset must be emitted exactly once.
import { createConnection, type Connection, type ResultSetHeader } from 'mysql2/promise';
import { Client } from 'pg';

import { openStore } from '../../lib/store';
import type { ProdigyStore, StoreConfig } from '../../lib/store/types';
import { createTestDatabase, type BackendName, type TestDatabase } from '../helpers/databases';
import { createPoller, datasetsParameter, type Poller } from '../helpers/triggerPoller';

/** One writer's own connection, used the way Prodigy's peewee would: explicit transactions, raw inserts. */
interface Writer {
	begin(): Promise<void>;
	/** Inserts an example and its link to `datasetId`; returns the link id (assigned now, visible at commit). */
	insert(datasetId: number, text: string): Promise<number>;
	commit(): Promise<void>;
	rollback(): Promise<void>;
	close(): Promise<void>;
}

function content(text: string): Buffer {
	return Buffer.from(JSON.stringify({ text, answer: 'accept', _input_hash: 1, _task_hash: 2 }), 'utf8');
}

async function openWriter(config: StoreConfig): Promise<Writer> {
	if (config.type === 'postgres') {
		const client = new Client({ host: config.host, port: config.port, user: config.user, password: config.password, database: config.database });
		await client.connect();
		return {
			begin: async () => void (await client.query('BEGIN')),
			insert: async (datasetId, text) => {
				const example = await client.query('INSERT INTO example (input_hash, task_hash, content) VALUES ($1, $2, $3) RETURNING id', [
					1,
					2,
					content(text),
				]);
				const link = await client.query('INSERT INTO link (example_id, dataset_id) VALUES ($1, $2) RETURNING id', [
					example.rows[0].id,
					datasetId,
				]);
				return Number(link.rows[0].id);
			},
			commit: async () => void (await client.query('COMMIT')),
			rollback: async () => void (await client.query('ROLLBACK')),
			close: () => client.end(),
		};
	}
	if (config.type !== 'mysql') throw new Error('The concurrency test runs on PostgreSQL and MariaDB');
	const connection: Connection = await createConnection({
		host: config.host,
		port: config.port,
		user: config.user,
		password: config.password,
		database: config.database,
	});
	return {
		begin: async () => void (await connection.query('START TRANSACTION')),
		insert: async (datasetId, text) => {
			const [example] = await connection.execute<ResultSetHeader>(
				'INSERT INTO example (input_hash, task_hash, content) VALUES (?, ?, ?)',
				[1, 2, content(text)],
			);
			const [link] = await connection.execute<ResultSetHeader>('INSERT INTO link (example_id, dataset_id) VALUES (?, ?)', [
				example.insertId,
				datasetId,
			]);
			return link.insertId;
		},
		commit: async () => void (await connection.query('COMMIT')),
		rollback: async () => void (await connection.query('ROLLBACK')),
		close: () => connection.end(),
	};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** The window must exceed the longest a writer below keeps a transaction open (about 2.5 s at most). */
const LATE_COMMIT_MS = 4000;

describe.each<BackendName>(['postgres', 'mysql'])('trigger cursor under concurrent writers on %s', (backend) => {
	let db: TestDatabase;
	let store: ProdigyStore;

	beforeAll(async () => {
		db = await createTestDatabase(backend);
		store = openStore(db.config);
	});

	afterAll(async () => {
		await store?.close();
		await db?.cleanup();
	});

	it('emits every committed annotation exactly once although commits arrive out of id order', async () => {
		const watched = await store.createDataset('ner_news');
		const other = await store.createDataset('other');
		const poller: Poller = createPoller(
			{
				event: 'newAnnotation',
				datasets: datasetsParameter('ner_news'),
				options: { maxItems: 5, lateCommitMinutes: LATE_COMMIT_MS / 60_000 },
			},
			db.config,
		);
		expect(await poller.poll()).toBeNull();

		const written = new Set<number>();
		const polls: number[][] = [];
		const emittedSoFar = new Set<number>();
		let lastCommitAt = Date.now();
		let writersDone = false;

		const pollerLoop = (async () => {
			for (;;) {
				const items = (await poller.poll()) ?? [];
				const ids = items.map((item) => Number(item.json.linkId));
				polls.push(ids);
				for (const id of ids) emittedSoFar.add(id);
				// Done once writers finished and a full late-commit window passed after the last commit.
				if (writersDone && Date.now() > lastCommitAt + LATE_COMMIT_MS + 500 && ids.length === 0) break;
				await sleep(40);
			}
		})();

		/** A random writer: short transactions, some into another dataset, some rolled back. */
		async function randomWriter(seed: number): Promise<void> {
			const random = mulberry32(seed);
			const writer = await openWriter(db.config);
			try {
				for (let index = 0; index < 12; index++) {
					await writer.begin();
					const datasetId = random() < 0.8 ? watched.id : other.id;
					const linkId = await writer.insert(datasetId, `w${seed}-${index}`);
					await sleep(Math.floor(random() * 300));
					if (random() < 0.1) {
						await writer.rollback();
					} else {
						await writer.commit();
						lastCommitAt = Date.now();
						if (datasetId === watched.id) written.add(linkId);
					}
					await sleep(Math.floor(random() * 80));
				}
			} finally {
				await writer.close();
			}
		}

		/**
		 * The forced case: a transaction takes link id L, another commits L+n at once, and the first commits only
		 * after the poller has emitted L+n. A "highest id seen" cursor would skip L.
		 */
		const forced: Array<{ low: number; high: number }> = [];
		async function lateCommitter(): Promise<void> {
			const slow = await openWriter(db.config);
			const fast = await openWriter(db.config);
			try {
				for (let round = 0; round < 3; round++) {
					await slow.begin();
					const low = await slow.insert(watched.id, `slow-${round}`);
					await fast.begin();
					const high = await fast.insert(watched.id, `fast-${round}`);
					await fast.commit();
					written.add(high);
					const deadline = Date.now() + 2000;
					while (!emittedSoFar.has(high)) {
						if (Date.now() > deadline) throw new Error(`The poller never emitted link ${high}`);
						await sleep(10);
					}
					expect(emittedSoFar.has(low)).toBe(false);
					await slow.commit();
					lastCommitAt = Date.now();
					written.add(low);
					forced.push({ low, high });
					await sleep(150);
				}
			} finally {
				await slow.close();
				await fast.close();
			}
		}

		try {
			await Promise.all([randomWriter(1), randomWriter(2), randomWriter(3), randomWriter(4), lateCommitter()]);
		} finally {
			lastCommitAt = Date.now();
			writersDone = true;
			await pollerLoop;
		}

		const emitted = polls.flat();
		expect(emitted.length).toBe(new Set(emitted).size);
		expect([...emitted].sort((a, b) => a - b)).toEqual([...written].sort((a, b) => a - b));
		// Commits really came out of id order: each forced low id was emitted in a later poll than its higher one.
		const pollOf = (id: number) => polls.findIndex((ids) => ids.includes(id));
		expect(forced).toHaveLength(3);
		for (const { low, high } of forced) {
			expect(low).toBeLessThan(high);
			expect(pollOf(low)).toBeGreaterThan(pollOf(high));
		}
		// And the cursor ends clean: the watermark past every link written, nothing remembered above it.
		const cursor = poller.state()!.streams[0].cursor;
		expect(cursor.seen).toEqual([]);
		expect(cursor.after).toBeGreaterThanOrEqual(Math.max(...written));
	}, 120_000);

	it('loses the late row when the window is shorter than the transaction (what the window is for)', async () => {
		const watched = await store.createDataset('short_window');
		const poller = createPoller(
			{ event: 'newAnnotation', datasets: datasetsParameter('short_window'), options: { lateCommitMinutes: 0 } },
			db.config,
		);
		await poller.poll();
		const slow = await openWriter(db.config);
		const fast = await openWriter(db.config);
		try {
			await slow.begin();
			const low = await slow.insert(watched.id, 'slow');
			await fast.begin();
			const high = await fast.insert(watched.id, 'fast');
			await fast.commit();
			const first = ((await poller.poll()) ?? []).map((item) => item.json.linkId);
			expect(first).toEqual([high]);
			// A second poll with a zero window moves the watermark past `high` before `low` commits.
			expect(await poller.poll()).toBeNull();
			expect(poller.state()!.streams[0].cursor).toEqual({ after: high, seen: [] });
			await slow.commit();
			expect(low).toBeLessThan(high);
			expect(await poller.poll()).toBeNull();
		} finally {
			await slow.close();
			await fast.close();
		}
	});
});
