// The Export pipeline's writer and stored formats, mostly without a database: the stored bytes written unchanged,
// chunks bounded, records pulled only as the file is read, a valid JSON array also when empty, and a reader or a
// store of a file that fails stops the read instead of leaving the export waiting.
import type { Readable } from 'node:stream';

import { planExport, writeExport, type ExportFile } from '../../lib/export';
import { sideFiles, type FilePiece } from '../../lib/exportFiles';
import { EXPORT_FORMATS, type FormatSettings } from '../../lib/exportFormats';
import type { ExampleRecord, ProdigyStore } from '../../lib/store/types';
import { emptyTrainingSummary } from '../../lib/training';

function record(linkId: number, text: string): ExampleRecord {
	const task = { text, _input_hash: linkId, _task_hash: -linkId, answer: 'accept' };
	return { linkId, exampleId: linkId, datasetId: 1, dataset: 'd', inputHash: linkId, taskHash: -linkId, task, raw: JSON.stringify(task) };
}

/** A source that counts how many records were pulled from it and whether it was closed, like the store's iterator. */
function source(count: number, pulled: { n: number; closed?: boolean }): AsyncIterable<ExampleRecord> {
	return (async function* () {
		try {
			for (let i = 1; i <= count; i++) {
				pulled.n = i;
				yield record(i, `example number ${i} with some text to make it longer than a few bytes`);
			}
		} finally {
			pulled.closed = true;
		}
	})();
}

async function* of(records: ExampleRecord[]) {
	yield* records;
}

const SETTINGS: FormatSettings = { devShare: 0, mergePerInput: true, textcatShape: 'label' };

function write(format: 'jsonl' | 'json', records: AsyncIterable<ExampleRecord>, settings: FormatSettings = SETTINGS) {
	const summary = emptyTrainingSummary();
	const pieces: AsyncIterable<FilePiece> = EXPORT_FORMATS[format].write(records, settings, summary);
	return { files: sideFiles(pieces, settings.devShare > 0), summary };
}

async function text(stream: Readable): Promise<string> {
	const parts: Buffer[] = [];
	for await (const chunk of stream) parts.push(chunk as Buffer);
	return Buffer.concat(parts).toString('utf8');
}

describe('export files', () => {
	it('pulls records only as the file is read, and keeps chunks bounded', async () => {
		const total = 100_000;
		const pulled = { n: 0 };
		const { files, summary } = write('jsonl', source(total, pulled));
		const reader = files.train[Symbol.asyncIterator]();
		const first = await reader.next();
		expect(first.done).toBe(false);
		// The first chunk exists while most of the dataset has not even been read from the store.
		expect(pulled.n).toBeLessThan(total / 10);
		let largest = (first.value as Buffer).length;
		let bytes = largest;
		let lines = (first.value as Buffer).toString('utf8').split('\n').length - 1;
		for (let next = await reader.next(); !next.done; next = await reader.next()) {
			const chunk = next.value as Buffer;
			largest = Math.max(largest, chunk.length);
			bytes += chunk.length;
			lines += chunk.toString('utf8').split('\n').length - 1;
		}
		await files.done;
		expect(pulled.n).toBe(total);
		expect(largest).toBeLessThan(256 * 1024 + 200);
		expect(lines).toBe(total);
		expect(files.bytes).toEqual({ train: bytes, dev: 0 });
		expect(summary.train.examples).toBe(total);
	});

	it("writes each record's stored bytes as one JSON Lines line, unchanged", async () => {
		const records = [record(3, 'a'), { ...record(9, 'b'), raw: '{"text":"b","w":1.0,"x":"\\u00e9"}' }];
		const { files } = write('jsonl', of(records));
		expect(await text(files.train)).toBe(`${records[0].raw}\n{"text":"b","w":1.0,"x":"\\u00e9"}\n`);
		await files.done;
	});

	it('writes a valid JSON array, also when empty', async () => {
		const collect = async (records: ExampleRecord[]) => {
			const { files } = write('json', of(records));
			const written = await text(files.train);
			await files.done;
			return written;
		};
		expect(await collect([])).toBe('[]\n');
		const written = await collect([record(1, 'a'), record(2, 'b')]);
		expect((JSON.parse(written) as Array<{ text: string }>).map((task) => task.text)).toEqual(['a', 'b']);
	});

	it('splits stored lines by input hash into two files in one pass', async () => {
		const records = Array.from({ length: 200 }, (_, i) => record(i + 1, `t${i}`));
		const { files, summary } = write('jsonl', of(records), { ...SETTINGS, devShare: 30 });
		const [train, dev] = await Promise.all([text(files.train), text(files.dev as Readable)]);
		await files.done;
		const lines = (file: string) => file.split('\n').filter(Boolean);
		expect([...lines(train), ...lines(dev)].sort()).toEqual(records.map((r) => r.raw).sort());
		expect([summary.train.examples, summary.dev.examples]).toEqual([lines(train).length, lines(dev).length]);
		expect(lines(dev).length).toBeGreaterThan(20);
		expect(files.bytes).toEqual({ train: Buffer.byteLength(train), dev: Buffer.byteLength(dev) });
	});

	it('stops reading when a reader destroys its file, with an error or without', async () => {
		const pulled: { n: number; closed?: boolean } = { n: 0 };
		const { files } = write('jsonl', source(100_000, pulled));
		const reader = files.train[Symbol.asyncIterator]();
		await reader.next();
		files.train.destroy(new Error('disk full'));
		await expect(files.done).rejects.toThrow('disk full');
		expect(pulled.closed).toBe(true);
		expect(pulled.n).toBeLessThan(100_000);

		// Destroyed without an error (a reader that gave up): the export fails instead of waiting for ever.
		const quiet: { n: number; closed?: boolean } = { n: 0 };
		const second = write('jsonl', source(100_000, quiet));
		await second.files.train[Symbol.asyncIterator]().next();
		second.files.train.destroy();
		await expect(second.files.done).rejects.toThrow('The export file was closed before it was complete');
		expect(quiet.closed).toBe(true);
	});
});

describe('writeExport', () => {
	it('stops the read when storing a file fails, and fails with that error', async () => {
		const pulled: { n: number; closed?: boolean } = { n: 0 };
		const store = { getDataset: async () => ({}), getExamples: () => source(100_000, pulled) } as unknown as ProdigyStore;
		const plan = await planExport(store, { dataset: 'd', format: 'jsonl', filters: {}, devShare: 10, mergePerInput: true, textcatShape: 'label' });
		let saves = 0;
		const failing = async (file: ExportFile) => {
			saves++;
			if (file.fileName === 'd.dev.jsonl') throw new Error('no space left for the dev file');
			for await (const chunk of file.stream) void chunk;
		};
		await expect(writeExport(store, plan, failing)).rejects.toThrow('no space left for the dev file');
		expect(saves).toBe(2);
		expect(pulled.closed).toBe(true);
		expect(pulled.n).toBeLessThan(100_000);
	});
});

describe('the export pipeline from the library entry', () => {
	it('exports a dataset of an SQLite store to a train and a dev file on disk, as docs/library.md shows', async () => {
		const { mkdtempSync, readFileSync, rmSync, createWriteStream } = await import('node:fs');
		const { join } = await import('node:path');
		const { tmpdir } = await import('node:os');
		const { pipeline } = await import('node:stream/promises');
		const lib = await import('../../lib');
		const dir = mkdtempSync(join(tmpdir(), 'prodigy-export-'));
		const store = lib.openStore({ type: 'sqlite', path: join(dir, 'prodigy.db') });
		try {
			await store.addExamples('news', Array.from({ length: 50 }, (_, i) => ({ text: `Acme hired Bo ${i}`, spans: [{ start: 0, end: 4, label: 'ORG' }], answer: 'accept' })));
			const plan = await lib.planExport(store, { dataset: 'news', format: 'tokens', filters: {}, devShare: 20, mergePerInput: true, textcatShape: 'label', fileName: join(dir, 'news.jsonl') });
			const { report } = await lib.writeExport(store, plan, (file) => pipeline(file.stream, createWriteStream(file.fileName)));
			const train = readFileSync(join(dir, 'news.train.jsonl'), 'utf8').split('\n').filter(Boolean);
			const dev = readFileSync(join(dir, 'news.dev.jsonl'), 'utf8').split('\n').filter(Boolean);
			expect(train.length + dev.length).toBe(50);
			expect(dev.length).toBeGreaterThan(0);
			expect(JSON.parse(train[0])).toEqual({ tokens: ['Acme', 'hired', 'Bo', expect.any(String)], ner_tags: ['B-ORG', 'O', 'O', 'O'] });
			expect(report).toMatchObject({ format: 'tokens', count: 50, answers: 50, train: { examples: train.length }, dev: { examples: dev.length } });
			expect(Object.keys(lib.EXPORT_FORMATS)).toEqual(['jsonl', 'json', 'tokens', 'textcat']);
			await expect(lib.planExport(store, { ...plan.settings, dataset: 'news', format: 'csv' as never, filters: {} })).rejects.toThrow('"csv" is not an export format');
		} finally {
			await store.close();
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
