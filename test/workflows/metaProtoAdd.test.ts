import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/databases';
import { rawExamples } from '../helpers/rows';
import { byName, runOk } from './datasetNode.helpers';

describe.each(BACKENDS)('Example → Add meta key __proto__ on %s', (backend) => {
	let db: TestDatabase;
	beforeEach(async () => {
		db = await createTestDatabase(backend);
	});
	afterEach(() => db.cleanup());

	it('stores a Meta Field and a Fixed Meta Field named __proto__ in the content bytes', async () => {
		await runOk(db.config, {
			resource: 'example',
			operation: 'add',
			dataset: byName('news'),
			inputMode: 'fields',
			contentField: 'text',
			content: '={{ $json.body }}',
			metaFields: { field: [{ name: '__proto__', value: 'from-field' }] },
		}, { items: [{ body: 'a' }] });
		await runOk(db.config, {
			resource: 'example',
			operation: 'add',
			dataset: byName('news'),
			options: { fixedMeta: { field: [{ name: '__proto__', value: 'fixed' }] } },
		}, { items: [{ text: 'b' }] });
		const rows = await rawExamples(db.config);
		expect(rows[0].content).toContain('"meta":{"__proto__":"from-field"}');
		expect(rows[1].content).toContain('"meta":{"__proto__":"fixed"}');
	});
});
