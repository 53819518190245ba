import { planBatches, writeBatches } from '../../lib/batches';

describe('planBatches', () => {
	it('groups by key in order of first appearance, keeps input order, and cuts each group by its first entry\'s size', () => {
		const entries = [
			{ id: 1, key: 'a', size: 2 },
			{ id: 2, key: 'b', size: 5 },
			{ id: 3, key: 'a', size: 9 },
			{ id: 4, key: 'a', size: 9 },
			{ id: 5, key: 'b', size: 1 },
			{ id: 6, key: 'a', size: 1 },
		];
		const batches = planBatches(entries, (entry) => entry.key, (entry) => entry.size);
		expect(batches.map((batch) => batch.map((entry) => entry.id))).toEqual([[1, 3], [4, 6], [2, 5]]);
	});

	it('treats null as a key of its own and sizes below one as one', () => {
		const entries = [{ key: null as string | null }, { key: 's' }, { key: null }];
		expect(planBatches(entries, (entry) => entry.key, () => 0).map((batch) => batch.length)).toEqual([1, 1, 1]);
		expect(planBatches([], () => 'k', () => 10)).toEqual([]);
	});
});

describe('writeBatches', () => {
	const entry = (item: string, n: number) => ({ item, n });
	const ids = (batch: Array<{ item: string; n: number }>) => batch.map((e) => `${e.item}${e.n}`);

	it('after a failed batch writes nothing more of the items it carried, and goes on with the others', async () => {
		// a: six entries in three batches; b shares the third; c is on its own.
		const batches = [
			[entry('a', 1), entry('a', 2)],
			[entry('a', 3), entry('a', 4)],
			[entry('a', 5), entry('b', 1)],
			[entry('b', 2), entry('c', 1)],
		];
		const written: string[][] = [];
		const failures: Array<{ batch: string[]; items: string[] }> = [];
		await writeBatches(
			batches,
			(e) => e.item,
			async (batch) => {
				if (batch.some((e) => e.item === 'a' && e.n === 3)) throw new Error('disk full');
				written.push(ids(batch));
			},
			(batch, error, items) => {
				expect((error as Error).message).toBe('disk full');
				failures.push({ batch: ids(batch), items });
			},
		);
		// Without the rule, a5 would be written after a3-a4 failed: a hole in item a.
		expect(written).toEqual([['a1', 'a2'], ['b1'], ['b2', 'c1']]);
		expect(failures).toEqual([{ batch: ['a3', 'a4'], items: ['a'] }]);
	});

	it('stops every item of a failed batch, and ends the run when the failure handler throws', async () => {
		const batches = [[entry('a', 1), entry('b', 1)], [entry('a', 2)], [entry('b', 2)], [entry('c', 1)]];
		const written: string[][] = [];
		await writeBatches(
			batches,
			(e) => e.item,
			async (batch) => {
				if (batch[0].n === 1 && batch[0].item === 'a') throw new Error('lost');
				written.push(ids(batch));
			},
			() => undefined,
		);
		expect(written).toEqual([['c1']]);

		const attempts: string[][] = [];
		await expect(
			writeBatches(
				batches,
				(e) => e.item,
				async (batch) => {
					attempts.push(ids(batch));
					throw new Error('down');
				},
				(_batch, error) => {
					throw error;
				},
			),
		).rejects.toThrow('down');
		expect(attempts).toEqual([['a1', 'b1']]);
	});
});
