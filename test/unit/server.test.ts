import { ProdigyConnectionError, ProdigyInputError } from '../../lib/errors';
import {
	answerProblem,
	endSession,
	fullSessionId,
	getServerStatus,
	getSessionQuestions,
	giveAnswers,
	type ServerHttp,
} from '../../lib/server';
import { startProdigyServer, type FakeProdigyServer } from '../helpers/prodigyServer';

/** The transport a script would inject: fetch, with basic auth, rejecting on HTTP errors. */
function fetchHttp(baseUrl: string, auth?: { user: string; password: string }): ServerHttp {
	return async ({ method, path, body }) => {
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
		const response = await fetch(baseUrl + path, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (!response.ok) throw new Error(`HTTP ${response.status}`);
		return (await response.json()) as unknown;
	};
}

const task = (text: string, inputHash: number, taskHash: number) => ({ text, _input_hash: inputHash, _task_hash: taskHash });

describe('Prodigy server client', () => {
	let server: FakeProdigyServer;
	afterEach(async () => await server?.close());

	it('reads the status from /project and /version', async () => {
		server = await startProdigyServer({ version: '1.12.4' });
		const status = await getServerStatus(fetchHttp(server.url));
		expect(status).toMatchObject({
			reachable: true,
			dataset: 'ner_news',
			recipe: 'ner.manual',
			viewId: 'ner_manual',
			version: '1.12.4',
			batchSize: 10,
		});
		expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /project', 'GET /version']);
	});

	it('takes questions from the queue, sends answers with the session id and ends the session', async () => {
		server = await startProdigyServer({ queue: [task('a', 1, 11), task('b', 2, 12), task('c', 3, 13)], batchSize: 2 });
		const http = fetchHttp(server.url);
		const first = await getSessionQuestions(http, 'ner_news-alex');
		expect(first.tasks.map((t) => t.text)).toEqual(['a', 'b']);
		expect(first.sessionId).toBe('ner_news-alex');
		expect(server.queue).toHaveLength(1);

		const answered = first.tasks.map((t) => ({ ...t, answer: 'accept' }));
		const result = await giveAnswers(http, answered, 'ner_news-alex');
		expect(result.progress).toBeCloseTo(2 / 3);
		expect(server.answers.get('ner_news-alex')).toEqual(answered);

		await endSession(http, 'ner_news-alex');
		expect(server.endedSessions).toEqual(['ner_news-alex']);
		expect(server.requests[1].body).toEqual({ answers: answered, session_id: 'ner_news-alex' });
	});

	it('refuses answers without hashes or answer before sending anything', async () => {
		server = await startProdigyServer();
		const http = fetchHttp(server.url);
		await expect(giveAnswers(http, [{ ...task('a', 1, 2), answer: 'accept' }, { text: 'b', answer: 'accept' }], null)).rejects.toThrow(
			new ProdigyInputError('Answer 2 has no integer "_input_hash" (answers must be tasks the server handed out, with their hashes)'),
		);
		expect(server.requests).toHaveLength(0);
		expect(answerProblem({ ...task('a', 1, 2), answer: 'maybe' })).toMatch(/no "answer"/);
		expect(answerProblem([1])).toBe('is not a JSON object');
		expect(answerProblem({ ...task('a', 1, 2), answer: 'reject' })).toBeNull();
	});

	it('checks basic auth and reports a refused request as a connection error', async () => {
		server = await startProdigyServer({ basicAuth: { user: 'ann', password: 's3cret-pass' } });
		await expect(getServerStatus(fetchHttp(server.url, { user: 'ann', password: 'wrong' }))).rejects.toThrow(
			'Prodigy server request GET /project failed: HTTP 401',
		);
		const status = await getServerStatus(fetchHttp(server.url, { user: 'ann', password: 's3cret-pass' }));
		expect(status.reachable).toBe(true);
	});

	it('reports an unreachable server clearly', async () => {
		server = await startProdigyServer();
		const url = server.url;
		await server.close();
		const error = await getServerStatus(fetchHttp(url)).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ProdigyConnectionError);
		expect((error as ProdigyConnectionError).message).toMatch(/^Prodigy server request GET \/project failed: /);
		expect((error as ProdigyConnectionError).hint).toMatch(/Base URL/);
	});

	it('builds the session id the web app uses', () => {
		expect(fullSessionId('ner_news', 'alex')).toBe('ner_news-alex');
		expect(fullSessionId('ner_news', 'ner_news-alex')).toBe('ner_news-alex');
		expect(fullSessionId(null, 'alex')).toBe('alex');
	});
});
