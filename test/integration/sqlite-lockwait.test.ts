// While another connection (Prodigy, in real life another process) holds the SQLite file's write lock, the store
// waits without blocking the event loop: timers keep firing, and the write lands once the lock is released.
import { DatabaseSync } from 'node:sqlite';

import { openStore } from '../../lib/store';
import { DatabaseError } from '../../lib/store/dialect';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';

describe('SQLite lock waits', () => {
	let db: TestDatabase;
	let path: string;

	beforeEach(async () => {
		db = await createTestDatabase('sqlite');
		path = (db.config as { path: string }).path;
		const store = openStore(db.config);
		await store.createDataset('locked');
		await store.close();
	});

	afterEach(async () => await db.cleanup());

	it('keeps the event loop running while it waits for the lock, then writes', async () => {
		const holder = new DatabaseSync(path);
		holder.exec('BEGIN IMMEDIATE');
		const store = openStore({ type: 'sqlite', path, busyTimeoutMs: 30_000 });
		try {
			let settled = false;
			const write = store.addExamples('locked', [{ text: 'a' }]).finally(() => {
				settled = true;
			});
			// A driver-side busy wait would hold this timer back until the write gave up (the lock is only released
			// below, after the timer): the write would be settled — failed — by then.
			let ticks = 0;
			for (let i = 0; i < 5; i++) {
				await new Promise((resolve) => setTimeout(resolve, 20));
				ticks++;
			}
			expect(ticks).toBe(5);
			expect(settled).toBe(false);
			holder.exec('COMMIT');
			expect((await write).added).toBe(1);
		} finally {
			if (holder.isTransaction) holder.exec('ROLLBACK');
			holder.close();
			await store.close();
		}
	});

	it('gives up after busyTimeoutMs with an error whose hint the user can follow', async () => {
		const holder = new DatabaseSync(path);
		holder.exec('BEGIN IMMEDIATE');
		const store = openStore({ type: 'sqlite', path, busyTimeoutMs: 200 });
		try {
			const error = (await store.addExamples('locked', [{ text: 'a' }]).then(
				() => new Error('expected a failure'),
				(failure: Error) => failure,
			)) as DatabaseError;
			expect(error).toBeInstanceOf(DatabaseError);
			expect(error.code).toBe('SQLITE_BUSY');
			expect(error.message).toContain('stayed locked for 200 ms');
			expect(error.hint).toMatch(/Run this again when it has finished/);
			expect(error.hint).not.toMatch(/raise the busy timeout/);
		} finally {
			holder.exec('ROLLBACK');
			holder.close();
			await store.close();
		}
	});
});
