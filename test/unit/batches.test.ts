import { planBatches } from '../../lib/batches';

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
