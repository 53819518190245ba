import { exportChunks } from '../../nodes/ProdigyDataset/actions/example/export.operation';
import type { ExportProgress } from '../../nodes/ProdigyDataset/actions/example/exportPlan';
import type { ExampleRecord } from '../../lib/store/types';

function record(linkId: number, text: string): ExampleRecord {
	const task = { text, _input_hash: linkId, _task_hash: -linkId, answer: 'accept' };
	return { linkId, exampleId: linkId, datasetId: 1, dataset: 'd', inputHash: linkId, taskHash: -linkId, task, raw: JSON.stringify(task) };
}

/** A source that counts how many records were pulled from it, like the store's paged iterator. */
function source(count: number, pulled: { n: number }): AsyncIterable<ExampleRecord> {
	return (async function* () {
		for (let i = 1; i <= count; i++) {
			pulled.n = i;
			yield record(i, `example number ${i} with some text to make it longer than a few bytes`);
		}
	})();
}

const fresh = (): ExportProgress => ({ count: 0, byteSize: 0, minLinkId: null, maxLinkId: null });

describe('export streaming', () => {
	it('pulls records only as chunks are consumed, and keeps chunks bounded', async () => {
		const total = 100_000;
		const pulled = { n: 0 };
		const progress = fresh();
		const chunks = exportChunks(source(total, pulled), 'jsonl', progress);
		const first = await chunks.next();
		expect(first.done).toBe(false);
		// The first chunk exists while most of the dataset has not even been read from the store.
		expect(pulled.n).toBeLessThan(total / 10);
		let largest = (first.value as Buffer).length;
		let bytes = largest;
		let lines = (first.value as Buffer).toString('utf8').split('\n').length - 1;
		for await (const chunk of chunks) {
			largest = Math.max(largest, chunk.length);
			bytes += chunk.length;
			lines += chunk.toString('utf8').split('\n').length - 1;
		}
		expect(pulled.n).toBe(total);
		expect(largest).toBeLessThan(256 * 1024 + 200);
		expect(lines).toBe(total);
		expect(progress).toEqual({ count: total, byteSize: bytes, minLinkId: 1, maxLinkId: total });
	});

	it('writes each record\'s stored bytes as one JSONL line, unchanged', async () => {
		const records = [record(3, 'a'), { ...record(9, 'b'), raw: '{"text":"b","w":1.0,"x":"\\u00e9"}' }];
		const progress = fresh();
		const parts: Buffer[] = [];
		const seen: number[] = [];
		const iterate = async function* () {
			yield* records;
		};
		for await (const chunk of exportChunks(iterate(), 'jsonl', progress, (r) => seen.push(r.linkId))) parts.push(chunk);
		expect(Buffer.concat(parts).toString('utf8')).toBe(`${records[0].raw}\n{"text":"b","w":1.0,"x":"\\u00e9"}\n`);
		expect(seen).toEqual([3, 9]);
		expect(progress).toMatchObject({ count: 2, minLinkId: 3, maxLinkId: 9 });
	});

	it('writes a valid JSON array, also when empty', async () => {
		const collect = async (records: ExampleRecord[]) => {
			const parts: Buffer[] = [];
			const iterate = async function* () {
				yield* records;
			};
			for await (const chunk of exportChunks(iterate(), 'json', fresh())) parts.push(chunk);
			return Buffer.concat(parts).toString('utf8');
		};
		expect(await collect([])).toBe('[]\n');
		const text = await collect([record(1, 'a'), record(2, 'b')]);
		expect((JSON.parse(text) as Array<{ text: string }>).map((task) => task.text)).toEqual(['a', 'b']);
	});
});
