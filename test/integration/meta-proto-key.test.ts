// A meta key "__proto__" is stored like any other key, as Prodigy (Python dicts have no prototype) stores it: a
// plain assignment in JavaScript would have replaced the object's prototype instead and the key was silently lost.
import { openStore } from '../../lib/store';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/databases';
import { rawDatasets } from '../helpers/rows';
import { byName, runOk } from '../workflows/datasetNode.helpers';

describe.each(BACKENDS)('meta key __proto__ on %s', (backend) => {
	let db: TestDatabase;
	beforeEach(async () => {
		db = await createTestDatabase(backend);
		const store = openStore(db.config);
		try {
			await store.createDataset('news', { description: 'News' });
		} finally {
			await store.close();
		}
	});
	afterEach(() => db.cleanup());

	it('Dataset → Update Meta stores {"__proto__": {"x": 1}} in the meta bytes', async () => {
		const [item] = await runOk(db.config, {
			resource: 'dataset',
			operation: 'updateMeta',
			dataset: byName('news'),
			updateFields: { customMeta: '{"__proto__": {"x": 1}, "status": "review"}' },
		});
		const [row] = await rawDatasets(db.config);
		expect(row.meta).toBe('{"description":"News","__proto__":{"x":1},"status":"review"}');
		const meta = item.json.meta as Record<string, unknown>;
		expect(Object.keys(meta)).toEqual(['description', '__proto__', 'status']);
		expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
		// A second update keeps the key and can change it.
		await runOk(db.config, { resource: 'dataset', operation: 'updateMeta', dataset: byName('news'), updateFields: { customMeta: '{"__proto__": 2}' } });
		expect((await rawDatasets(db.config))[0].meta).toBe('{"description":"News","__proto__":2,"status":"review"}');
	});

	it('the library keeps "__proto__" in a meta patch and in a created dataset', async () => {
		const store = openStore(db.config);
		try {
			const patch = JSON.parse('{"__proto__": "kept"}') as Record<string, unknown>;
			expect((await store.updateMeta('news', patch)).meta).toEqual(JSON.parse('{"description": "News", "__proto__": "kept"}'));
			await store.createDataset('other', JSON.parse('{"__proto__": {"y": [1]}}') as Record<string, unknown>);
		} finally {
			await store.close();
		}
		expect((await rawDatasets(db.config)).map((row) => row.meta)).toEqual(['{"description":"News","__proto__":"kept"}', '{"__proto__":{"y":[1]}}']);
	});
});
