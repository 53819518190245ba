// The same examples written to SQLite, PostgreSQL and MySQL get the same version id: the digest reads content
// through Python-canonical JSON, so backend differences (BLOB vs BYTEA, driver types) cannot leak into it.
import { openStore } from '../../lib/store';
import { computeVersion, recordVersion, verifyVersion } from '../../lib/versions';
import { BACKENDS, createTestDatabase } from '../helpers/databases';

const tasks = [
	{ text: 'Ünïcödé 😀', answer: 'accept', meta: { score: 0.5, n: 10 }, _annotator_id: 'ds-a' },
	{ text: 'spans', spans: [{ start: 0, end: 5, label: 'X' }], answer: 'reject' },
	{ text: 'no answer yet' },
];

describe('version ids across backends', () => {
	it('are identical for identical data on every backend', async () => {
		const ids: string[] = [];
		for (const backend of BACKENDS) {
			const db = await createTestDatabase(backend);
			const store = openStore(db.config);
			try {
				await store.addExamples('same', tasks);
				const version = await computeVersion(store, 'same');
				await recordVersion(store, 'same', version);
				await expect(verifyVersion(store, 'same', version.id)).resolves.toMatchObject({ count: 3, upToLinkId: 3 });
				ids.push(version.id);
			} finally {
				await store.close();
				await db.cleanup();
			}
		}
		expect(ids).toHaveLength(3);
		expect(new Set(ids).size).toBe(1);
	});
});
