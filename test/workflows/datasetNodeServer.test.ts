// Prodigy Dataset node, Server resource, run as workflows through n8n-core against a Prodigy-shaped web server on
// loopback (real HTTP, real basic auth through n8n's authenticated request helper).
import type { IDataObject } from 'n8n-workflow';

import { startProdigyServer, type FakeProdigyServer } from '../helpers/prodigyServer';
import { NODE, runNode, runOk } from './datasetNode.helpers';

const PASSWORD = 'pr0digy-Secret!';
const task = (text: string, hash: number) => ({ text, _input_hash: hash, _task_hash: hash + 1000 });
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Prodigy Dataset node: Prodigy server', () => {
	let server: FakeProdigyServer;
	let credentials: IDataObject;

	beforeEach(async () => {
		server = await startProdigyServer({
			queue: [task('one', 1), task('two', 2), task('three', 3)],
			batchSize: 2,
			basicAuth: { user: 'ann', password: PASSWORD },
			version: '1.15.2',
		});
		credentials = { url: `${server.url}/`, user: 'ann', password: PASSWORD };
	});
	afterEach(async () => await server.close());

	const run = (parameters: IDataObject, input: { items?: IDataObject[]; continueOnFail?: boolean } = {}) =>
		runNode(null, { resource: 'server', ...parameters }, { ...input, serverCredentials: credentials });

	it('Get Status reads /project and /version with basic auth', async () => {
		const output = await runOk(null, { resource: 'server', operation: 'getStatus' }, { serverCredentials: credentials });
		expect(output).toEqual([
			{
				json: {
					reachable: true,
					dataset: 'ner_news',
					recipe: 'ner.manual',
					viewId: 'ner_manual',
					version: '1.15.2',
					batchSize: 2,
					project: { dataset: 'ner_news', recipe_name: 'ner.manual', view_id: 'ner_manual', batch_size: 2, labels: ['PERSON', 'ORG'] },
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(server.requests.map((request) => [request.method, request.path, request.authorization])).toEqual([
			['GET', '/project', basic('ann', PASSWORD)],
			['GET', '/version', basic('ann', PASSWORD)],
		]);
	});

	it('Get Questions takes a batch from the queue for the annotator\'s session, one item per task', async () => {
		const result = await run({ operation: 'getQuestions', session: 'alex' });
		expect(result.status).toBe('success');
		expect(result.output(NODE)).toEqual([
			{ json: task('one', 1), pairedItem: { item: 0 } },
			{ json: task('two', 2), pairedItem: { item: 0 } },
		]);
		expect(server.queue).toEqual([task('three', 3)]);
		const questions = server.requests.find((request) => request.path === '/get_session_questions');
		expect(questions?.body).toEqual({ session_id: 'ner_news-alex' });
	});

	it('Submit Answers sends answered items per session in batches and reports progress', async () => {
		const items = [
			{ ...task('one', 1), answer: 'accept' },
			{ ...task('two', 2), answer: 'reject' },
			{ ...task('three', 3), answer: 'ignore' },
		];
		const result = await run({ operation: 'submitAnswers', session: 'ner_news-alex', options: { batchSize: 2 } }, { items });
		expect(result.status).toBe('success');
		expect(server.answers.get('ner_news-alex')).toEqual(items);
		const posts = server.requests.filter((request) => request.path === '/give_answers');
		expect(posts.map((request) => (request.body as { answers: unknown[] }).answers.length)).toEqual([2, 1]);
		expect(result.json(NODE)).toEqual([
			{ submitted: 1, session_id: 'ner_news-alex', progress: expect.any(Number) },
			{ submitted: 1, session_id: 'ner_news-alex', progress: expect.any(Number) },
			// The fake server's progress: answers / (answers + tasks still queued) = 3 / 6.
			{ submitted: 1, session_id: 'ner_news-alex', progress: 0.5 },
		]);
		expect(result.json('Items')).toEqual(items);
	});

	it('Submit Answers reads a list field, and checks every item before sending anything', async () => {
		const answers = [{ ...task('one', 1), answer: 'accept' }, { ...task('two', 2), answer: 'accept' }];
		const fromField = await run({ operation: 'submitAnswers', answersFrom: 'field', answersField: 'result.answers' }, {
			items: [{ result: { answers } }],
		});
		expect(fromField.json(NODE)).toEqual([{ submitted: 2, session_id: null, progress: expect.any(Number) }]);
		expect(server.answers.get(null)).toEqual(answers);

		const before = server.requests.length;
		const strict = await run({ operation: 'submitAnswers' }, { items: [{ ...task('x', 9), answer: 'accept' }, { text: 'no hashes', answer: 'accept' }] });
		expect(strict.status).toBe('error');
		expect(strict.error?.message).toBe(
			'The item has no integer "_input_hash" (answers must be tasks the server handed out, with their hashes)',
		);
		expect(strict.error?.context?.itemIndex).toBe(1);
		expect(server.requests.length).toBe(before);

		const lenient = await run(
			{ operation: 'submitAnswers' },
			{ items: [{ ...task('x', 9), answer: 'maybe' }, { ...task('y', 8), answer: 'accept' }], continueOnFail: true },
		);
		expect(lenient.output(NODE)).toEqual([
			{ json: { error: 'The item has no "answer" of "accept", "reject" or "ignore"' }, pairedItem: { item: 0 } },
			{ json: { submitted: 1, session_id: null, progress: expect.any(Number) }, pairedItem: { item: 1 } },
		]);
		expect(server.answers.get(null)?.at(-1)).toEqual({ ...task('y', 8), answer: 'accept' });
	});

	it('Submit Answers sends nothing more of an item after one of its requests failed, and says what was sent', async () => {
		await server.close();
		server = await startProdigyServer({ failAnswers: (answers) => answers.some((answer) => answer.text === 'boom') });
		credentials = { url: `${server.url}/` };
		const answers = ['one', 'two', 'boom', 'four', 'five'].map((text, index) => ({ ...task(text, index + 1), answer: 'accept' }));
		const other = { ...task('other', 9), answer: 'reject' };
		// Item 0 holds five answers (requests of 2: 1-2, 3-4, then 5 with item 1's answer); the second request fails.
		const result = await run(
			{ operation: 'submitAnswers', answersFrom: 'field', answersField: 'answers', options: { batchSize: 2 } },
			{ items: [{ answers }, { answers: [other] }], continueOnFail: true },
		);
		expect(result.status).toBe('success');
		expect(result.output(NODE)).toEqual([
			{
				json: {
					error: expect.stringMatching(
						/^Prodigy server request POST \/give_answers failed: .* \(answers 1-2 of this item were sent, the request with 3-4 failed; 5 was not sent\)$/,
					),
				},
				pairedItem: { item: 0 },
			},
			{ json: { submitted: 1, session_id: null, progress: expect.any(Number) }, pairedItem: { item: 1 } },
		]);
		// Answer 5 never went out after its item's request failed; item 1's answer did, in a request of its own.
		expect(server.answers.get(null)).toEqual([answers[0], answers[1], other]);
		const posts = server.requests.filter((request) => request.path === '/give_answers');
		expect(posts.map((request) => (request.body as { answers: Array<{ text: string }> }).answers.map((answer) => answer.text))).toEqual([
			['one', 'two'],
			['boom', 'four'],
			['other'],
		]);
	});

	it('End Session posts the full session id', async () => {
		const output = await runOk(null, { resource: 'server', operation: 'endSession', session: 'alex' }, { serverCredentials: credentials });
		expect(output[0].json).toEqual({ ended: true, session_id: 'ner_news-alex', response: { success: true } });
		expect(server.endedSessions).toEqual(['ner_news-alex']);
	});

	it('reports a wrong password or an unreachable server as a clear API error without the secret', async () => {
		credentials = { ...credentials, password: `${PASSWORD}-wrong` };
		const denied = await run({ operation: 'getStatus' });
		expect(denied.status).toBe('error');
		expect(denied.error?.message).toBe(
			`Prodigy server request GET /project failed: HTTP 401: Authorization failed - please check your credentials (${server.url})`,
		);
		expect((denied.error as unknown as IDataObject).name).toBe('NodeApiError');

		await server.close();
		credentials = { ...credentials, password: PASSWORD };
		const down = await run({ operation: 'getStatus' });
		expect(down.status).toBe('error');
		expect(down.error?.message).toBe(
			`Prodigy server request GET /project failed: The service refused the connection - perhaps it is offline (${server.url})`,
		);
		expect(down.error?.description).toMatch(/Check that the Prodigy server is running/);
		expect(JSON.stringify(down.run.data.resultData)).not.toContain(PASSWORD);
		expect(JSON.stringify(denied.run.data.resultData)).not.toContain(PASSWORD);

		const asItem = await run({ operation: 'getStatus', options: { unreachableAsItem: true } });
		expect(asItem.json(NODE)).toEqual([{ reachable: false, error: expect.stringMatching(/^Prodigy server request GET \/project failed: /) }]);
	});
});
