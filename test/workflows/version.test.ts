import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { openStore } from '../../lib/store';
import { computeVersion } from '../../lib/versions';
import { VersionStamp } from '../../nodes/VersionStamp/VersionStamp.node';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { chain, runWorkflow } from '../helpers/workflow';

const TYPE = 'n8n-nodes-prodigy.versionStamp';
const nodeTypes = { [TYPE]: new VersionStamp() };
const withCredential: Partial<INode> = { credentials: { prodigyDatabaseApi: { id: '1', name: 'Prodigy' } } };
const byName = (value: string) => ({ __rl: true, mode: 'name', value });

describe('Version Stamp (workflow)', () => {
	let db: TestDatabase;
	let credentials: Record<string, ICredentialDataDecryptedObject>;

	beforeEach(async () => {
		db = await createTestDatabase('sqlite');
		credentials = { prodigyDatabaseApi: { type: 'sqlite', path: (db.config as { path: string }).path } };
		const store = openStore(db.config);
		await store.addExamples('news', [
			{ text: 'one', answer: 'accept' },
			{ text: 'two', answer: 'reject' },
		]);
		await store.close();
	});

	afterEach(async () => {
		await db.cleanup();
	});

	async function run(parameters: INodeParameters, items: IDataObject[] = [{}], extra: Partial<INode> = withCredential) {
		return await runWorkflow(chain([{ name: 'Stamp', type: TYPE, parameters, ...extra }], { items }), { nodeTypes, credentials });
	}

	async function meta() {
		const store = openStore(db.config);
		try {
			return (await store.getDataset('news'))?.meta ?? {};
		} finally {
			await store.close();
		}
	}

	it('records a dataset version once per distinct content and returns the record', async () => {
		const parameters = { mode: 'datasetVersion', dataset: byName('news'), details: { modelVersion: 'ner-7', note: 'first' } };
		const first = await run(parameters, [{ a: 1 }, { a: 2 }]);
		expect(first.status).toBe('success');
		const [one, two] = first.json('Stamp');
		expect(one).toMatchObject({ dataset: 'news', count: 2, minLinkId: 1, maxLinkId: 2, modelVersion: 'ner-7', note: 'first', recorded: true });
		expect(one.id).toMatch(/^[0-9a-f]{64}$/);
		// The second item names the same dataset: same version, already recorded by the first.
		expect(two).toMatchObject({ id: one.id, recorded: false, note: 'first' });
		expect(first.output('Stamp').map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);

		const again = await run({ ...parameters, details: { note: 'second' } });
		expect(again.json('Stamp')[0]).toMatchObject({ id: one.id, recorded: false, note: 'first', createdAt: one.createdAt });
		expect((await meta()).versions).toEqual([{ id: one.id, count: 2, minLinkId: 1, maxLinkId: 2, algorithm: one.algorithm, createdAt: one.createdAt, modelVersion: 'ner-7', note: 'first' }]);

		const store = openStore(db.config);
		await store.addExamples('news', [{ text: 'three', answer: 'accept' }]);
		expect((await computeVersion(store, 'news')).id).not.toBe(one.id);
		await store.close();
		const third = await run(parameters);
		expect(third.json('Stamp')[0]).toMatchObject({ count: 3, maxLinkId: 3, recorded: true });
		expect(((await meta()).versions as unknown[]).length).toBe(2);
	});

	it('can compute without recording', async () => {
		const result = await run({ mode: 'datasetVersion', dataset: byName('news'), record: false });
		expect(result.json('Stamp')[0]).toMatchObject({ dataset: 'news', count: 2, recorded: false });
		expect((await meta()).versions).toBeUndefined();
	});

	it('fails an item naming an unknown dataset, or emits an error item under continue-on-fail', async () => {
		const parameters = { mode: 'datasetVersion', dataset: byName('={{ $json.dataset }}') };
		const items = [{ dataset: 'news' }, { dataset: 'nope' }];
		const failed = await run(parameters, items);
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toBe('Dataset "nope" does not exist');
		const continued = await run(parameters, items, { ...withCredential, onError: 'continueRegularOutput' });
		expect(continued.json('Stamp')[1]).toEqual({ error: 'Dataset "nope" does not exist' });
		// Items are handled one by one: the failed run had already recorded item 0's version.
		expect(continued.json('Stamp')[0]).toMatchObject({ dataset: 'news', recorded: false });
		expect(((await meta()).versions as unknown[]).length).toBe(1);
	});

	it('reads a dataset name from an expression trimmed, and says so when it is blank', async () => {
		const trimmed = await run({ mode: 'datasetVersion', dataset: byName('={{ " news " }}'), record: false });
		expect(trimmed.json('Stamp')[0]).toMatchObject({ dataset: 'news', recorded: false });
		const blank = await run({ mode: 'datasetVersion', dataset: byName('={{ "  " }}'), record: false });
		expect(blank.status).toBe('error');
		expect(blank.error?.message).toBe('No dataset given');
	});

	it('stamps items with the current dataset version and provenance under a nested key', async () => {
		const items = [
			{ text: 'a', meta: { source: 'crm' }, id: 'r1' },
			{ text: 'b', id: 'r2' },
		];
		const result = await run(
			{
				mode: 'stampItems',
				versionSource: 'dataset',
				versionDataset: byName('news'),
				provenanceField: 'meta.provenance',
				sourceSystem: 'crm',
				sourceRecordId: '={{ $json.id }}',
				modelVersion: 'ner-7',
			},
			items,
		);
		expect(result.status).toBe('success');
		const store = openStore(db.config);
		const version = await computeVersion(store, 'news');
		await store.close();
		const [a, b] = result.json('Stamp');
		const provenanceA = (a.meta as IDataObject).provenance as IDataObject;
		expect(provenanceA).toEqual({
			versionId: version.id,
			dataset: 'news',
			timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			sourceSystem: 'crm',
			sourceRecordId: 'r1',
			modelVersion: 'ner-7',
		});
		expect((a.meta as IDataObject).source).toBe('crm');
		expect(((b.meta as IDataObject).provenance as IDataObject).sourceRecordId).toBe('r2');
		expect(((b.meta as IDataObject).provenance as IDataObject).timestamp).toBe(provenanceA.timestamp);
		expect((await meta()).versions).toBeUndefined();
	});

	it('stamps a given version id, or none, without any credential', async () => {
		const given = await run({ mode: 'stampItems', versionSource: 'value', versionId: 'abc123', sourceSystem: 'erp' }, [{ x: 1 }], {});
		expect(given.status).toBe('success');
		expect(given.json('Stamp')).toEqual([{ x: 1, provenance: { versionId: 'abc123', timestamp: expect.any(String), sourceSystem: 'erp' } }]);
		const none = await run({ mode: 'stampItems', versionSource: 'none', provenanceField: 'audit' }, [{ x: 1 }], {});
		expect(none.json('Stamp')).toEqual([{ x: 1, audit: { timestamp: expect.any(String) } }]);
	});

	it('refuses to overwrite a non-object with provenance', async () => {
		const result = await run({ mode: 'stampItems', versionSource: 'none', provenanceField: 'meta.provenance' }, [{ meta: 'text' }], {});
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('is not an object');
	});
});
