// A Prodigy-shaped web server on loopback, built to the endpoint shapes in docs/prodigy.md §6: enough for the
// Server resource's tests to exercise real HTTP (auth header, JSON bodies, status codes) without Prodigy itself.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type JsonObject = { [key: string]: unknown };

export interface FakeProdigyOptions {
	/** GET /project reply. */
	project?: JsonObject;
	version?: string;
	/** Tasks queued for annotators; /get_session_questions takes up to batchSize of them. */
	queue?: JsonObject[];
	batchSize?: number;
	/** When set, every request must carry HTTP Basic auth with these. */
	basicAuth?: { user: string; password: string };
	/** A /give_answers request whose answers this accepts is refused with HTTP 500 and nothing is stored. */
	failAnswers?: (answers: JsonObject[]) => boolean;
}

export interface FakeProdigyServer {
	url: string;
	/** Every request received, in order (path, method, parsed body, Authorization header). */
	requests: Array<{ method: string; path: string; body: unknown; authorization?: string }>;
	/** Answers received per session id. */
	answers: Map<string | null, JsonObject[]>;
	endedSessions: Array<string | null>;
	queue: JsonObject[];
	close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export async function startProdigyServer(options: FakeProdigyOptions = {}): Promise<FakeProdigyServer> {
	const project: JsonObject = options.project ?? {
		dataset: 'ner_news',
		recipe_name: 'ner.manual',
		view_id: 'ner_manual',
		batch_size: options.batchSize ?? 10,
		labels: ['PERSON', 'ORG'],
	};
	const batchSize = options.batchSize ?? 10;
	const state: Omit<FakeProdigyServer, 'url' | 'close'> = {
		requests: [],
		answers: new Map(),
		endedSessions: [],
		queue: [...(options.queue ?? [])],
	};
	const expectedAuth = options.basicAuth
		? `Basic ${Buffer.from(`${options.basicAuth.user}:${options.basicAuth.password}`).toString('base64')}`
		: undefined;

	const server = createServer((req, res) => {
		void (async () => {
			const path = (req.url ?? '/').split('?')[0];
			let body: unknown;
			try {
				body = await readBody(req);
			} catch {
				send(res, 400, { detail: 'invalid JSON body' });
				return;
			}
			state.requests.push({ method: req.method ?? '', path, body, authorization: req.headers.authorization });
			if (expectedAuth && req.headers.authorization !== expectedAuth) {
				res.setHeader('www-authenticate', 'Basic');
				send(res, 401, { detail: 'Incorrect username or password' });
				return;
			}
			const sessionId = (body as JsonObject | undefined)?.session_id;
			const session = typeof sessionId === 'string' ? sessionId : null;
			const route = `${req.method} ${path}`;
			if (route === 'GET /project') return send(res, 200, project);
			if (route === 'GET /version') return send(res, 200, { version: options.version ?? '1.14.0' });
			if (route === 'POST /get_session_questions') {
				const tasks = state.queue.splice(0, batchSize);
				return send(res, 200, { tasks, total: state.queue.length + tasks.length, progress: null, session_id: session });
			}
			if (route === 'POST /give_answers') {
				const answers = (body as JsonObject | undefined)?.answers;
				if (!Array.isArray(answers)) return send(res, 422, { detail: 'answers must be a list' });
				if (options.failAnswers?.(answers as JsonObject[])) return send(res, 500, { detail: 'Internal Server Error' });
				const list = state.answers.get(session) ?? [];
				list.push(...(answers as JsonObject[]));
				state.answers.set(session, list);
				const total = [...state.answers.values()].reduce((sum, entries) => sum + entries.length, 0);
				return send(res, 200, { progress: total / (total + state.queue.length) });
			}
			if (route === 'POST /end_session') {
				state.endedSessions.push(session);
				return send(res, 200, { success: true });
			}
			send(res, 404, { detail: 'Not Found' });
		})();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	let closed: Promise<void> | undefined;
	return {
		...state,
		url: `http://127.0.0.1:${port}`,
		// Idempotent: tests close early to simulate an unreachable server, and afterEach closes again.
		close: async () => {
			closed ??= new Promise<void>((resolve, reject) => {
				server.closeAllConnections();
				server.close((error) => (error ? reject(error) : resolve()));
			});
			await closed;
		},
	};
}
