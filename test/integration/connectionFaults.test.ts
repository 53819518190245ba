// Connections that break in the middle of a write, on the real PostgreSQL and MariaDB. The cut is placed exactly
// by a TCP proxy in front of the server (or by ending our own session), never by stopping the shared servers.
// Every case: a clear ProdigyConnectionError, nothing half-written, the process lives, the next call works — and
// after a lost COMMIT the store says what the database really holds.
import { CommitOutcomeUnknownError, ProdigyConnectionError } from '../../lib/errors';
import { openStore } from '../../lib/store';
import { DatabaseError } from '../../lib/store/dialect';
import type { ProdigyStore, StoreConfig, Task } from '../../lib/store/types';
import { createTestDatabase, rawQuery, type TestDatabase } from '../helpers/databases';
import { FaultProxy } from '../helpers/faultProxy';
import { failure } from '../helpers/failure';
import { rowCounts } from '../helpers/rows';

const TASKS: Task[] = Array.from({ length: 50 }, (_, i) => ({ text: `task ${i}` }));


/** Ends the store's own session that sits idle inside a transaction (the moment between two statements). */
async function endIdleTransaction(config: StoreConfig): Promise<void> {
	if (config.type === 'postgres') {
		const [row] = await rawQuery(
			config,
			"SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction'",
			[config.database],
		);
		expect(Number(row.n)).toBe(1);
		return;
	}
	if (config.type === 'mysql') {
		const rows = await rawQuery(
			config,
			'SELECT p.ID AS id FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE p.DB = ?',
			[config.database],
		);
		expect(rows).toHaveLength(1);
		await rawQuery(config, `KILL CONNECTION ${Number(rows[0].id)}`);
	}
}

describe.each(['postgres', 'mysql'] as const)('connection faults on %s', (backend) => {
	let db: TestDatabase;
	let proxy: FaultProxy;
	let store: ProdigyStore;

	beforeEach(async () => {
		db = await createTestDatabase(backend);
		const server = db.config as Extract<StoreConfig, { port: number }>;
		proxy = await FaultProxy.start(server.port);
		store = openStore({ ...server, host: '127.0.0.1', port: proxy.port });
		await store.createDataset('faults');
	});

	afterEach(async () => {
		await store.close();
		await proxy.close();
		await db.cleanup();
	});

	async function links(): Promise<number> {
		return (await rowCounts(db.config))?.link ?? 0;
	}

	it('rejects with a connection error when the session is ended between two statements, and the next call works', async () => {
		const error = await failure(() =>
			store.updateMeta('faults', async (meta) => {
				await endIdleTransaction(db.config);
				// Give the driver time to notice while no statement is running: the moment that used to crash n8n.
				await new Promise((resolve) => setTimeout(resolve, 300));
				return { ...meta, touched: true };
			}),
		);
		expect(error).toBeInstanceOf(ProdigyConnectionError);
		expect(error).not.toBeInstanceOf(DatabaseError);
		expect((await store.getDataset('faults'))?.meta).toEqual({});
		expect((await store.addExamples('faults', TASKS)).added).toBe(50);
	});

	it('rejects with a connection error when the connection breaks mid-write, writes nothing, and the next call works', async () => {
		proxy.cutOnStatement('INSERT INTO', 'before');
		const error = await failure(() => store.addExamples('faults', TASKS));
		expect(error).toBeInstanceOf(ProdigyConnectionError);
		expect(error).not.toBeInstanceOf(DatabaseError);
		expect(error.message).toMatch(/lost/);
		expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 0, link: 0 });
		const again = await store.addExamples('faults', TASKS);
		expect(again.added).toBe(50);
		expect(await links()).toBe(50);
	});

	it('returns the saved batch when the connection breaks after COMMIT reached the server', async () => {
		proxy.cutOnCommit('after');
		const result = await store.addExamples('faults', TASKS);
		expect(proxy.cuts).toBe(1);
		expect(result.added).toBe(50);
		const stored = (await rawQuery(db.config, 'SELECT id FROM link ORDER BY id')).map((row) => Number(row.id));
		expect(result.examples.map((example) => example.linkId)).toEqual(stored);
	});

	it('says nothing was saved when the connection breaks before COMMIT reached the server', async () => {
		proxy.cutOnCommit('before');
		const error = await failure(() => store.addExamples('faults', TASKS));
		expect(proxy.cuts).toBe(1);
		expect(error).toBeInstanceOf(ProdigyConnectionError);
		expect(error).not.toBeInstanceOf(CommitOutcomeUnknownError);
		expect(error.message).toMatch(/nothing of it was saved/);
		expect(await links()).toBe(0);
	});

	it('says "outcome unknown" and how to recover when the server cannot be reached to check', async () => {
		proxy.cutWhen((chunk) => {
			const commit = /COMMIT\0?$/.test(chunk.toString('latin1'));
			if (commit) proxy.refuse = true;
			return commit;
		}, 'after');
		const error = (await failure(() => store.addExamples('faults', TASKS))) as CommitOutcomeUnknownError;
		expect(error).toBeInstanceOf(CommitOutcomeUnknownError);
		expect(error.message).toMatch(/outcome unknown/);
		expect(error.hint).toMatch(/Skip Duplicates/);
		// The recovery the error names: run the same input again with Skip Duplicates.
		proxy.heal();
		const again = await store.addExamples('faults', TASKS, { dedupe: 'input' });
		expect(again.added + again.skipped).toBe(50);
		expect(await links()).toBe(50);
	});
});
