// Export as of a version and "require an approval", through the Prodigy Dataset node's Export operation.
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { recordDecision } from '../../lib/approvals';
import { openStore } from '../../lib/store';
import type { ProdigyStore } from '../../lib/store/types';
import { computeVersion, recordVersion } from '../../lib/versions';
import { ProdigyDataset } from '../../nodes/ProdigyDataset/ProdigyDataset.node';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { chain, runWorkflow } from '../helpers/workflow';

const TYPE = 'n8n-nodes-prodigy.prodigyDataset';
const byName = (value: string) => ({ __rl: true, mode: 'name', value });

describe('Export as of a version (workflow)', () => {
	let db: TestDatabase;
	let store: ProdigyStore;
	let credentials: Record<string, ICredentialDataDecryptedObject>;

	beforeEach(async () => {
		db = await createTestDatabase('sqlite');
		credentials = { prodigyDatabaseApi: { type: 'sqlite', path: (db.config as { path: string }).path } };
		store = openStore(db.config);
		await store.addExamples('news', [
			{ text: 'one', answer: 'accept', meta: { score: 10.0 } },
			{ text: 'two', answer: 'reject' },
			{ text: 'three', answer: 'accept' },
		]);
	});

	afterEach(async () => {
		await store.close();
		await db.cleanup();
	});

	async function exportWith(options: IDataObject, filters: IDataObject = {}) {
		const node = {
			name: 'Export',
			type: TYPE,
			parameters: { resource: 'example', operation: 'export', dataset: byName('news'), filters, options } as INodeParameters,
			credentials: { prodigyDatabaseApi: { id: '1', name: 'Prodigy' } },
		};
		return await runWorkflow(chain([node], { items: [{}] }), { nodeTypes: { [TYPE]: new ProdigyDataset() }, credentials });
	}

	function file(item: INodeExecutionData): string {
		return Buffer.from(item.binary?.data.data as string, 'base64').toString('utf8');
	}

	async function recordCurrent() {
		const summary = await computeVersion(store, 'news');
		return (await recordVersion(store, 'news', summary)).version;
	}

	it('exports exactly the version: same version id, byte-identical file, also after appends', async () => {
		const v1 = await recordCurrent();
		const first = await exportWith({ version: v1.id });
		expect(first.status).toBe('success');
		const [item] = first.output('Export');
		expect(item.json).toMatchObject({ count: 3, minLinkId: 1, maxLinkId: 3, versionId: v1.id });

		await store.addExamples('news', [{ text: 'four', answer: 'accept' }]);
		const second = await exportWith({ version: v1.id.slice(0, 10) });
		const [again] = second.output('Export');
		expect(file(again)).toBe(file(item));
		expect(again.json).toMatchObject({ count: 3, byteSize: item.json.byteSize, versionId: v1.id });

		const everything = await exportWith({});
		expect(everything.output('Export')[0].json.count).toBe(4);
		// Filters still apply inside the version.
		const accepted = await exportWith({ version: v1.id }, { answer: ['accept'] });
		expect(accepted.output('Export')[0].json).toMatchObject({ count: 2, versionId: v1.id });
	});

	it('fails clearly when the dataset changed destructively since the version', async () => {
		const v1 = await recordCurrent();
		await store.removeExamples('news', { exampleIds: [2] });
		const result = await exportWith({ version: v1.id });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/^Dataset "news" changed since version/);
		const unknown = await exportWith({ version: 'feedfacefeedface' });
		expect(unknown.error?.message).toBe('Version "feedfacefeedface" is not recorded for dataset "news"');
	});

	it('refuses a version without approval, exports it once approved, refuses again after a rejection', async () => {
		const v1 = await recordCurrent();
		const refused = await exportWith({ version: v1.id, requireApproval: true });
		expect(refused.status).toBe('error');
		expect(refused.error?.message).toBe(`Version ${v1.id.slice(0, 12)} of dataset "news" is not approved, so it was not exported`);

		const decision = { versionId: v1.id, approver: 'Dana', reasons: [], time: new Date().toISOString(), mode: 'human' as const };
		await recordDecision(store, 'news', { ...decision, decision: 'approved' });
		const allowed = await exportWith({ version: v1.id, requireApproval: true });
		expect(allowed.status).toBe('success');
		expect(allowed.output('Export')[0].json).toMatchObject({ count: 3, versionId: v1.id, approved: true });

		await recordDecision(store, 'news', { ...decision, decision: 'rejected' });
		expect((await exportWith({ version: v1.id, requireApproval: true })).status).toBe('error');
	});

	it('without a version, requires an approval of the data as it is now', async () => {
		const v1 = await recordCurrent();
		await recordDecision(store, 'news', { versionId: v1.id, decision: 'approved', approver: null, reasons: [], time: new Date().toISOString(), mode: 'rules' });
		const allowed = await exportWith({ requireApproval: true });
		expect(allowed.output('Export')[0].json).toMatchObject({ count: 3, versionId: v1.id, approved: true });

		await store.addExamples('news', [{ text: 'unreviewed', answer: 'accept' }]);
		const refused = await exportWith({ requireApproval: true });
		expect(refused.status).toBe('error');
		expect(refused.error?.message).toContain('is not approved');
	});
});
