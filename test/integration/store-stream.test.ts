// Reading streams through keyset pages: every row once, in link order, whatever the page size.
import { openStore, type ProdigyStore } from '../../lib/store';
import { BACKENDS, createTestDatabase, rawQuery, type TestDatabase } from '../helpers/databases';

const ROWS = 20_000;

describe.each(BACKENDS)('streaming reads on %s', (backend) => {
	let db: TestDatabase;
	let store: ProdigyStore;

	beforeAll(async () => {
		db = await createTestDatabase(backend);
		store = openStore(db.config);
		// Interleave another dataset so the dataset's link ids have gaps, as in a real database.
		for (let start = 0; start < ROWS; start += 5_000) {
			const tasks = Array.from({ length: 5_000 }, (_, i) => ({ text: `task ${start + i}`, n: start + i, answer: (start + i) % 3 === 0 ? 'reject' : 'accept' }));
			await store.addExamples('big', tasks, { rowsPerInsert: 1000 });
			await store.addExamples('noise', [{ text: `noise ${start}` }]);
		}
	}, 180_000);
	afterAll(async () => {
		await store.close();
		await db.cleanup();
	});

	it('returns all 20,000 rows in link order with a small page size', async () => {
		let count = 0;
		let previous = 0;
		let inOrder = true;
		let contentInOrder = true;
		for await (const record of store.getExamples('big', { pageSize: 97 })) {
			if (record.linkId <= previous) inOrder = false;
			if (record.task.n !== count) contentInOrder = false;
			previous = record.linkId;
			count++;
		}
		expect(count).toBe(ROWS);
		expect(inOrder).toBe(true);
		expect(contentInOrder).toBe(true);
		const [{ max }] = await rawQuery(db.config, "SELECT MAX(link.id) AS max FROM link JOIN dataset ON dataset.id = link.dataset_id WHERE dataset.name = 'big'");
		expect(previous).toBe(Number(max));
	});

	it('filters across page boundaries and resumes after a link id', async () => {
		let rejects = 0;
		for await (const record of store.getExamples('big', { pageSize: 250, answer: 'reject' })) {
			expect(record.task.answer).toBe('reject');
			rejects++;
		}
		expect(rejects).toBe(Math.ceil(ROWS / 3));

		const firstPart: number[] = [];
		for await (const record of store.getExamples('big', { pageSize: 333, limit: 1234 })) firstPart.push(record.task.n as number);
		expect(firstPart).toEqual(Array.from({ length: 1234 }, (_, i) => i));
		const lastLinkId = (await (async () => {
			let last = 0;
			for await (const record of store.getExamples('big', { limit: 1234 })) last = record.linkId;
			return last;
		})()) as number;
		const rest: number[] = [];
		for await (const record of store.getExamples('big', { pageSize: 500, afterLinkId: lastLinkId })) rest.push(record.task.n as number);
		expect(rest).toHaveLength(ROWS - 1234);
		expect(rest[0]).toBe(1234);
		expect(await store.countExamples('big', { afterLinkId: lastLinkId })).toBe(ROWS - 1234);
	});

	it('stops early without reading the rest when the consumer breaks', async () => {
		let seen = 0;
		for await (const record of store.getExamples('big', { pageSize: 50 })) {
			seen++;
			if (record.task.n === 120) break;
		}
		expect(seen).toBe(121);
		// The store is still usable (no transaction or turn left open).
		expect(await store.countExamples('noise')).toBe(ROWS / 5_000);
	});
});
