// Reading ordered by input hash: every answer once, all answers to one input together, in (input hash, link id)
// order, whatever the page size, with filters and link ranges, and no temporary table left behind.
import { openStore, type ExampleRecord, type ProdigyStore } from '../../lib/store';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/databases';

const INPUTS = 300;
const ROUNDS = 3;

async function collect(records: AsyncIterable<ExampleRecord>): Promise<ExampleRecord[]> {
	const all: ExampleRecord[] = [];
	for await (const record of records) all.push(record);
	return all;
}

function sortedKeys(records: ExampleRecord[]): Array<[number, number]> {
	return records.map((record) => [record.inputHash, record.linkId] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

describe.each(BACKENDS)('getExamplesByInput on %s', (backend) => {
	let db: TestDatabase;
	let store: ProdigyStore;

	beforeAll(async () => {
		db = await createTestDatabase(backend);
		store = openStore(db.config);
		// Three annotation rounds over the same 300 inputs, interleaved with another dataset: the answers to one
		// input are far apart in link order and must come out together.
		for (let round = 0; round < ROUNDS; round++) {
			const tasks = Array.from({ length: INPUTS }, (_, i) => ({ text: `input ${i}`, round, answer: (i + round) % 4 === 0 ? 'reject' : 'accept' }));
			await store.addExamples('rounds', tasks, { session: `r${round}` });
			await store.addExamples('noise', [{ text: `noise ${round}` }]);
		}
	}, 120_000);
	afterAll(async () => {
		await store.close();
		await db.cleanup();
	});

	it('returns every answer once, ordered by input hash then link id, whatever the page size', async () => {
		const inLinkOrder = await collect(store.getExamples('rounds'));
		for (const pageSize of [1, 7, 1000]) {
			const byInput = await collect(store.getExamplesByInput('rounds', { pageSize }));
			expect(byInput.map((record) => [record.inputHash, record.linkId])).toEqual(sortedKeys(inLinkOrder));
			// The records are the stored ones, byte for byte.
			const raw = new Map(inLinkOrder.map((record) => [record.linkId, record.raw]));
			expect(byInput.every((record) => raw.get(record.linkId) === record.raw && record.dataset === 'rounds')).toBe(true);
		}
	});

	it('keeps all answers to one input together', async () => {
		const byInput = await collect(store.getExamplesByInput('rounds', { pageSize: 50 }));
		const seen = new Set<number>();
		let previous: number | undefined;
		for (const record of byInput) {
			if (record.inputHash !== previous) {
				expect(seen.has(record.inputHash)).toBe(false);
				seen.add(record.inputHash);
				previous = record.inputHash;
			}
		}
		expect(seen.size).toBe(INPUTS);
	});

	it('applies filters, link ranges and limits like getExamples', async () => {
		const all = await collect(store.getExamples('rounds'));
		const rejects = await collect(store.getExamplesByInput('rounds', { answer: 'reject', pageSize: 37 }));
		expect(sortedKeys(rejects)).toEqual(sortedKeys(all.filter((record) => record.task.answer === 'reject')));
		expect(rejects.map((record) => [record.inputHash, record.linkId])).toEqual(sortedKeys(rejects));

		const session = await collect(store.getExamplesByInput('rounds', { session: 'rounds-r1' }));
		expect(session).toHaveLength(INPUTS);
		expect(session.every((record) => record.task.round === 1)).toBe(true);

		const upTo = all[INPUTS + 9].linkId;
		const after = all[4].linkId;
		const range = await collect(store.getExamplesByInput('rounds', { afterLinkId: after, upToLinkId: upTo, pageSize: 13 }));
		expect(sortedKeys(range)).toEqual(sortedKeys(all.filter((record) => record.linkId > after && record.linkId <= upTo)));

		expect(await collect(store.getExamplesByInput('rounds', { limit: 5 }))).toHaveLength(5);
	});

	it('can be stopped early, run twice at once, and leaves the store usable', async () => {
		let seen = 0;
		for await (const record of store.getExamplesByInput('rounds', { pageSize: 10 })) {
			void record;
			if (++seen === 25) break;
		}
		const [a, b] = await Promise.all([collect(store.getExamplesByInput('rounds')), collect(store.getExamplesByInput('noise'))]);
		expect(a).toHaveLength(INPUTS * ROUNDS);
		expect(b).toHaveLength(ROUNDS);
		// The temporary tables went with their reads: the next write and read work as before.
		await store.addExamples('noise', [{ text: 'after' }]);
		expect(await collect(store.getExamplesByInput('noise'))).toHaveLength(ROUNDS + 1);
	});

	it('fails with DatasetNotFoundError for an unknown dataset', async () => {
		await expect(collect(store.getExamplesByInput('missing'))).rejects.toThrow('Dataset "missing" does not exist');
	});
});
