// Proves the n8n-core test harness itself runs a workflow, so node tests built on it can fail for the right reasons.
import { chain, runWorkflow } from '../helpers/workflow';

describe('workflow test harness', () => {
	it('runs Manual Trigger → test items through n8n-core and exposes each node output', async () => {
		const result = await runWorkflow(chain([], { items: [{ a: 1 }, { a: 2 }] }));
		expect(result.status).toBe('success');
		expect(result.json('Items')).toEqual([{ a: 1 }, { a: 2 }]);
	});

	it('attaches a text file as binary data', async () => {
		const result = await runWorkflow(chain([], { binary: { data: { text: '{"text":"hi"}\n', fileName: 'a.jsonl' } } }));
		const [item] = result.output('Items');
		expect(item.binary?.data.fileName).toBe('a.jsonl');
		expect(Buffer.from(item.binary!.data.data, 'base64').toString('utf8')).toBe('{"text":"hi"}\n');
	});
});
