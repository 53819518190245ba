// The public entry is a contract (issue 2 §4): acceptance checks and users' Code nodes call these names.
import * as lib from '../../lib';

describe('public library entry', () => {
	it('exports the contract names as functions', () => {
		for (const name of ['setHashes', 'getInputHash', 'getTaskHash', 'parseJsonLossless', 'openStore', 'computeHashes', 'prepareTask', 'decodeTasksFile', 'planBatches'] as const) {
			expect(typeof lib[name]).toBe('function');
		}
	});

	it('exports the training export rules', () => {
		const merged = lib.mergeAnswers([
			{ linkId: 1, inputHash: 1, taskHash: 2, task: { text: 'Acme hired Bo', spans: [{ start: 0, end: 4, label: 'ORG' }], answer: 'accept' } },
		]);
		expect(merged.kind === 'example' && lib.toTokensLine(merged.example)?.line).toEqual({ tokens: ['Acme', 'hired', 'Bo'], ner_tags: ['B-ORG', 'O', 'O'] });
		for (const name of ['trainingLines', 'offsetsToBiluoTags', 'biluoToIob', 'toTextcatLine', 'isDevInput'] as const) expect(typeof lib[name]).toBe('function');
	});

	it('round-trips a task through an SQLite store with a named session', async () => {
		const { mkdtempSync, rmSync } = await import('node:fs');
		const { join } = await import('node:path');
		const { tmpdir } = await import('node:os');
		const dir = mkdtempSync(join(tmpdir(), 'prodigy-lib-'));
		const store = lib.openStore({ type: 'sqlite', path: join(dir, 'prodigy.db') });
		try {
			const task = lib.setHashes(lib.parseJsonLossless('{"text":"My name is Freya."}') as lib.Task);
			expect(task).toEqual({ text: 'My name is Freya.', _input_hash: 896529854, _task_hash: -1486695581 });
			const result = await store.addExamples('names', [task], { session: 'alice' });
			expect(result.sessionDataset).toBe('names-alice');
			const datasets = await store.listDatasets({ includeSessions: true });
			expect(datasets.map((dataset) => [dataset.name, dataset.session])).toEqual([
				['names', false],
				['names-alice', true],
			]);
			const examples = [];
			for await (const example of store.getExamples('names')) examples.push(example.task);
			expect(examples).toEqual([task]);
		} finally {
			await store.close();
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
