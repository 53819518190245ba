// A read on a SQLite path where no file exists (a mistyped credential) fails with "No Prodigy database at <path>"
// and creates nothing: opening the file would have left an empty prodigy.db there and reported an empty database.
// A write still creates the file and Prodigy's tables, as Prodigy does on first connect.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ProdigyConnectionError } from '../../lib/errors';
import { openStore } from '../../lib/store';
import type { StoreConfig } from '../../lib/store/types';
import { failure } from '../helpers/failure';
import { createPoller, datasetsParameter } from '../helpers/triggerPoller';
import { byName, runNode } from '../workflows/datasetNode.helpers';

function missingPath(): { dir: string; path: string; config: StoreConfig } {
	const dir = mkdtempSync(join(tmpdir(), 'prodigy-missing-'));
	const path = join(dir, 'prodigy.db');
	return { dir, path, config: { type: 'sqlite', path } };
}

describe('SQLite: reads on a file that does not exist', () => {
	it.each([
		['hasSchema', (store: ReturnType<typeof openStore>) => store.hasSchema()],
		['listDatasets', (store: ReturnType<typeof openStore>) => store.listDatasets()],
		['getDataset', (store: ReturnType<typeof openStore>) => store.getDataset('news')],
		['countExamples', (store: ReturnType<typeof openStore>) => store.countExamples('news')],
		['getExamples', async (store: ReturnType<typeof openStore>) => {
			for await (const record of store.getExamples('news')) void record;
		}],
		['getStats', (store: ReturnType<typeof openStore>) => store.getStats('news')],
		['maxLinkId', (store: ReturnType<typeof openStore>) => store.maxLinkId(['news'])],
		['updateMeta', (store: ReturnType<typeof openStore>) => store.updateMeta('news', { a: 1 })],
	])('store.%s fails naming the path and creates no file', async (_name, read) => {
		const { dir, path, config } = missingPath();
		const store = openStore(config);
		try {
			const error = await failure(() => read(store));
			expect(error).toBeInstanceOf(ProdigyConnectionError);
			expect(error.message).toBe(`No Prodigy database at ${path}: the file does not exist`);
			expect((error as ProdigyConnectionError).hint).toMatch(/run a write first/);
		} finally {
			await store.close();
		}
		expect(readdirSync(dir)).toEqual([]);
	});

	it.each([
		['Dataset → Get', { resource: 'dataset', operation: 'get', dataset: byName('news') }],
		['Dataset → Get Many', { resource: 'dataset', operation: 'getAll', returnAll: true }],
		['Example → Get Many', { resource: 'example', operation: 'getAll', dataset: byName('news'), returnAll: true }],
		['Example → Count', { resource: 'example', operation: 'count', dataset: byName('news') }],
		['Example → Export', { resource: 'example', operation: 'export', dataset: byName('news') }],
	])('%s fails clearly and creates no file', async (_name, parameters) => {
		const { dir, path, config } = missingPath();
		const run = await runNode(config, parameters);
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain(`No Prodigy database at ${path}`);
		expect(readdirSync(dir)).toEqual([]);
	});

	it("fails the trigger's poll clearly and creates no file", async () => {
		const { dir, path, config } = missingPath();
		const poller = createPoller({ event: 'newAnnotation', datasets: datasetsParameter('news') }, config);
		const error = await failure(() => poller.poll());
		expect(error.message).toContain(`No Prodigy database at ${path}`);
		expect(readdirSync(dir)).toEqual([]);
	});

	it('creates the file with Prodigy\'s tables on a write, and reads work after it', async () => {
		const { path, config } = missingPath();
		const store = openStore(config);
		try {
			await store.addExamples('news', [{ text: 'a' }]);
			expect(existsSync(path)).toBe(true);
			expect(await store.hasSchema()).toBe(true);
			expect(await store.countExamples('news')).toBe(1);
		} finally {
			await store.close();
		}
		const fresh = openStore(config);
		try {
			expect((await fresh.listDatasets()).map((dataset) => dataset.name)).toEqual(['news']);
		} finally {
			await fresh.close();
		}
	});

	it("still says a write's folder must exist, not that the database is missing", async () => {
		const { dir } = missingPath();
		const store = openStore({ type: 'sqlite', path: join(dir, 'no-such-folder', 'prodigy.db') });
		try {
			const error = await failure(() => store.createDataset('news'));
			expect(error.message).toMatch(/^Could not open the SQLite database at /);
			expect((error as ProdigyConnectionError).hint).toMatch(/folder must exist/);
		} finally {
			await store.close();
		}
		expect(readdirSync(dir)).toEqual([]);
	});
});
