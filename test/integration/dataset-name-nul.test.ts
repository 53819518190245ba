// A NUL in a dataset name is refused as bad input, naming the problem, on every backend and by every operation that
// takes a name: PostgreSQL cannot hold a NUL in text and used to fail the statement with a raw encoding error.
import { InvalidDatasetNameError } from '../../lib/errors';
import { openStore } from '../../lib/store';
import type { ProdigyStore } from '../../lib/store/types';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/databases';
import { failure } from '../helpers/failure';
import { byName, runNode } from '../workflows/datasetNode.helpers';

const NAME = 'news\u0000x';
const PROBLEM = 'Invalid dataset name "news\\u0000x": it must not contain a NUL character (\\u0000)';

describe.each(BACKENDS)('a NUL in a dataset name on %s', (backend) => {
	let db: TestDatabase;
	let store: ProdigyStore;
	beforeEach(async () => {
		db = await createTestDatabase(backend);
		store = openStore(db.config);
		await store.createDataset('news');
	});
	afterEach(async () => {
		await store.close();
		await db.cleanup();
	});

	it.each([
		['createDataset', (s: ProdigyStore) => s.createDataset(NAME)],
		['addExamples', (s: ProdigyStore) => s.addExamples(NAME, [{ text: 'a' }])],
		['addExamples to a session with a NUL', (s: ProdigyStore) => s.addExamples('news', [{ text: 'a' }], { session: 'al\u0000ex' })],
		['getDataset', (s: ProdigyStore) => s.getDataset(NAME)],
		['updateMeta', (s: ProdigyStore) => s.updateMeta(NAME, { a: 1 })],
		['countExamples', (s: ProdigyStore) => s.countExamples(NAME)],
		['getStats', (s: ProdigyStore) => s.getStats(NAME)],
		['dropDataset', (s: ProdigyStore) => s.dropDataset(NAME)],
		['maxLinkId', (s: ProdigyStore) => s.maxLinkId([NAME])],
	])('%s is an input error naming the NUL', async (_name, call) => {
		const error = await failure(() => call(store));
		expect(error).toBeInstanceOf(InvalidDatasetNameError);
		expect(error.message).toMatch(/must not contain a NUL character/);
		expect((await store.listDatasets({ includeSessions: true })).map((dataset) => dataset.name)).toEqual(['news']);
	});

	it('fails only its own item in the node, as an input error', async () => {
		const run = await runNode(
			db.config,
			{ resource: 'dataset', operation: 'get', dataset: byName('={{ $json.name }}') },
			{ items: [{ name: 'news' }, { name: NAME }], continueOnFail: true },
		);
		expect(run.status).toBe('success');
		const [ok, failed] = run.json('Prodigy');
		expect(ok).toMatchObject({ name: 'news' });
		expect(failed).toEqual({ error: PROBLEM });
		expect(run.output('Prodigy')[1].pairedItem).toEqual({ item: 1 });
	});
});
