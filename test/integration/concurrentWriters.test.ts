// Two stores (two n8n executions, or two workers) writing the same tasks at the same moment with Skip Duplicates
// must leave each task linked once, on every backend. The race is forced, not hoped for: a third connection holds
// the dataset's row lock until both writers are queued behind it, so each writer has already run its first
// statements when the other commits — the moment a stale snapshot would let both insert everything.
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

import { openStore } from '../../lib/store';
import type { ProdigyStore, StoreConfig, Task } from '../../lib/store/types';
import { BACKENDS, createTestDatabase, rawQuery, type BackendName, type TestDatabase } from '../helpers/databases';

/** A connection that holds `dataset`'s row lock (FOR UPDATE) until release(). */
interface RowLock {
	/** Sessions of this database waiting for a lock. */
	waiters(): Promise<number>;
	release(): Promise<void>;
}

async function lockDatasetRow(config: StoreConfig, dataset: string): Promise<RowLock | null> {
	if (config.type === 'postgres') {
		const client = new Client({ host: config.host, port: config.port, user: config.user, password: config.password, database: config.database });
		await client.connect();
		await client.query('BEGIN');
		await client.query('SELECT id FROM dataset WHERE name = $1 FOR UPDATE', [dataset]);
		return {
			waiters: async () =>
				Number(
					(await rawQuery(config, "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [config.database]))[0].n,
				),
			release: async () => {
				await client.query('COMMIT');
				await client.end();
			},
		};
	}
	if (config.type === 'mysql') {
		const { host, port, user, password, database } = config;
		const connection = await createConnection({ host, port, user, password, database });
		await connection.query('START TRANSACTION');
		await connection.query('SELECT id FROM dataset WHERE name = ? FOR UPDATE', [dataset]);
		const [[{ holder }]] = (await connection.query('SELECT CONNECTION_ID() AS holder')) as unknown as [[{ holder: number }]];
		return {
			// Any other session of this database inside a FOR UPDATE statement is queued behind the held row: it cannot
			// finish while the lock is held. (INNODB_TRX is no reliable count: MariaDB 10.11 was seen to list only the
			// first of two sessions blocked on the same row as 'LOCK WAIT', the second had no row there at all.) The store
			// sends statements with values as prepared statements: their COMMAND is 'Execute'.
			waiters: async () =>
				Number(
					(
						await rawQuery(
							config,
							"SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID NOT IN (?, CONNECTION_ID()) AND COMMAND IN ('Query', 'Execute') AND INFO LIKE '%FOR UPDATE%'",
							[database, holder],
						)
					)[0].n,
				),
			release: async () => {
				await connection.query('COMMIT');
				await connection.end();
			},
		};
	}
	// SQLite: BEGIN IMMEDIATE serialises writers on the file; the plain concurrent run below is the test there.
	return null;
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
	for (let i = 0; i < 400; i++) {
		if (await condition()) return;
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	throw new Error(`timed out waiting for ${what}`);
}

const TASKS: Task[] = Array.from({ length: 200 }, (_, i) => ({ text: `shared task ${i}` }));

describe.each(BACKENDS)('concurrent writers with Skip Duplicates on %s', (backend: BackendName) => {
	let db: TestDatabase;
	let stores: ProdigyStore[];

	beforeEach(async () => {
		db = await createTestDatabase(backend);
		stores = [openStore(db.config), openStore(db.config)];
	});

	afterEach(async () => {
		await Promise.all(stores.map((store) => store.close()));
		await db.cleanup();
	});

	async function links(): Promise<{ links: number; distinct: number }> {
		const [row] = await rawQuery(
			db.config,
			'SELECT COUNT(*) AS n, COUNT(DISTINCT e.input_hash) AS d FROM link l JOIN example e ON e.id = l.example_id JOIN dataset s ON s.id = l.dataset_id WHERE s.name = ?',
			['shared'],
		);
		return { links: Number(row.n), distinct: Number(row.d) };
	}

	it('links each of 200 tasks once when two stores add them at the same moment', async () => {
		await stores[0].createDataset('shared');
		const lock = await lockDatasetRow(db.config, 'shared');
		const writes = stores.map((store) => store.addExamples('shared', TASKS, { dedupe: 'input' }));
		if (lock) {
			await until(async () => (await lock.waiters()) >= 2, 'both writers to wait for the dataset lock');
			await lock.release();
		}
		const results = await Promise.all(writes);
		expect(results.map((result) => result.added).sort((a, b) => a - b)).toEqual([0, 200]);
		expect(results.map((result) => result.skipped).sort((a, b) => a - b)).toEqual([0, 200]);
		expect(await links()).toEqual({ links: 200, distinct: 200 });
	});

	it('links each task once when both writers also create the dataset', async () => {
		const results = await Promise.all(stores.map((store) => store.addExamples('fresh', TASKS, { dedupe: 'input' })));
		expect(results.reduce((sum, result) => sum + result.added, 0)).toBe(200);
		const [row] = await rawQuery(
			db.config,
			'SELECT COUNT(*) AS n FROM link l JOIN dataset s ON s.id = l.dataset_id WHERE s.name = ?',
			['fresh'],
		);
		expect(Number(row.n)).toBe(200);
	});

	it('merges with dedupe into one target from two stores at once without linking a hash twice', async () => {
		await stores[0].addExamples('left', TASKS.slice(0, 150));
		await stores[0].addExamples('right', TASKS.slice(50));
		await stores[0].createDataset('merged');
		const lock = await lockDatasetRow(db.config, 'merged');
		const merges = [stores[0].mergeDatasets(['left'], 'merged', { dedupe: 'input' }), stores[1].mergeDatasets(['right'], 'merged', { dedupe: 'input' })];
		if (lock) {
			await until(async () => (await lock.waiters()) >= 2, 'both merges to wait for the target lock');
			await lock.release();
		}
		await Promise.all(merges);
		const [row] = await rawQuery(
			db.config,
			'SELECT COUNT(*) AS n, COUNT(DISTINCT e.input_hash) AS d FROM link l JOIN example e ON e.id = l.example_id JOIN dataset s ON s.id = l.dataset_id WHERE s.name = ?',
			['merged'],
		);
		expect({ links: Number(row.n), distinct: Number(row.d) }).toEqual({ links: 200, distinct: 200 });
	});
});
