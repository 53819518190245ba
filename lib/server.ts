// A client for the Prodigy web server (`prodigy <recipe>` serves it). These endpoints are what Prodigy's own web app
// calls; Prodigy does not document them as an API, so their shapes come from docs/prodigy.md §6 and may change
// between Prodigy versions. The HTTP transport is injected: the n8n node passes its authenticated request helper,
// scripts pass fetch. Nothing here imports n8n.
import { errorMessage, ProdigyConnectionError, ProdigyInputError } from './errors';
import { isPlainObject } from './json';
import type { JsonObject, Task } from './store/types';

export interface ServerRequest {
	method: 'GET' | 'POST';
	/** Path below the server's base URL, starting with "/". */
	path: string;
	body?: JsonObject;
}

/** Performs one request and resolves with the parsed JSON body; rejects on a network error or HTTP status >= 400. */
export type ServerHttp = (request: ServerRequest) => Promise<unknown>;

export interface ServerStatus {
	reachable: true;
	dataset: string | null;
	recipe: string | null;
	viewId: string | null;
	/** Prodigy's version, from GET /version (null when the server does not say). */
	version: string | null;
	batchSize: number | null;
	/** GET /project as returned (the recipe's config without secrets). */
	project: JsonObject;
}

export interface SessionQuestions {
	tasks: Task[];
	total: number | null;
	progress: number | null;
	sessionId: string | null;
}

export interface AnswersResult {
	progress: number | null;
	/** The rest of the server's reply, as returned. */
	response: JsonObject;
}

const ANSWERS = ['accept', 'reject', 'ignore'];

function stringOrNull(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}

function numberOrNull(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function requestFailed(request: ServerRequest, error: unknown): ProdigyConnectionError {
	const reason = errorMessage(error);
	return new ProdigyConnectionError(
		`Prodigy server request ${request.method} ${request.path} failed: ${reason}`,
		'Check that the Prodigy server is running, that the Base URL in the Prodigy Server credential points at ' +
			'it, and the basic-auth user and password (PRODIGY_BASIC_AUTH_USER / PRODIGY_BASIC_AUTH_PASS).',
	);
}

/** Runs one request; any transport failure becomes a ProdigyConnectionError naming the endpoint and the reason. */
async function call(http: ServerHttp, request: ServerRequest): Promise<unknown> {
	try {
		return await http(request);
	} catch (error) {
		throw requestFailed(request, error);
	}
}

function expectObject(value: unknown, request: string): JsonObject {
	if (isPlainObject(value)) return value;
	throw new ProdigyConnectionError(
		`Prodigy server answered ${request} with something other than a JSON object`,
		'Check that the Base URL points at a Prodigy web server, not another service.',
	);
}

/**
 * The full session id Prodigy's web app sends for `?session=<name>`: `<dataset>-<name>`. A name that already
 * carries the dataset prefix is kept as is, so users may paste either form.
 */
export function fullSessionId(dataset: string | null, session: string): string {
	const name = session.trim();
	if (!dataset || name.startsWith(`${dataset}-`)) return name;
	return `${dataset}-${name}`;
}

/** GET /project: the running recipe's config (dataset, recipe_name, view_id, batch_size...) without secrets. */
export async function getProject(http: ServerHttp): Promise<JsonObject> {
	return expectObject(await call(http, { method: 'GET', path: '/project' }), 'GET /project');
}

/** GET /project + GET /version: Prodigy has no health endpoint, so answering /project is what "up" means. */
export async function getServerStatus(http: ServerHttp): Promise<ServerStatus> {
	const project = await getProject(http);
	const versionReply = await call(http, { method: 'GET', path: '/version' });
	// (unverified) Prodigy answers /version with {"version": "..."} in recent releases; older ones may send a
	// bare string, and the project config also carries "version" in some releases.
	const version =
		stringOrNull(isPlainObject(versionReply) ? versionReply.version : versionReply) ?? stringOrNull(project.version);
	return {
		reachable: true,
		dataset: stringOrNull(project.dataset),
		recipe: stringOrNull(project.recipe_name),
		viewId: stringOrNull(project.view_id),
		version,
		batchSize: numberOrNull(project.batch_size),
		project,
	};
}

/** POST /get_session_questions. This CONSUMES the tasks: the server will not hand them to an annotator. */
export async function getSessionQuestions(http: ServerHttp, sessionId: string | null): Promise<SessionQuestions> {
	const reply = expectObject(
		await call(http, { method: 'POST', path: '/get_session_questions', body: { session_id: sessionId } }),
		'POST /get_session_questions',
	);
	const tasks = Array.isArray(reply.tasks) ? reply.tasks.filter(isPlainObject) : [];
	return {
		tasks,
		total: numberOrNull(reply.total),
		progress: numberOrNull(reply.progress),
		sessionId: stringOrNull(reply.session_id) ?? sessionId,
	};
}

/**
 * Checks what Prodigy needs to save an answer: a JSON object with its hashes and an answer. Returns the reason it
 * cannot be sent, or null.
 */
export function answerProblem(answer: unknown): string | null {
	if (!isPlainObject(answer)) return 'is not a JSON object';
	for (const key of ['_input_hash', '_task_hash']) {
		if (typeof answer[key] !== 'number' || !Number.isInteger(answer[key])) {
			return `has no integer "${key}" (answers must be tasks the server handed out, with their hashes)`;
		}
	}
	if (typeof answer.answer !== 'string' || !ANSWERS.includes(answer.answer)) {
		return 'has no "answer" of "accept", "reject" or "ignore"';
	}
	return null;
}

/** POST /give_answers: the server saves them to its dataset and the session dataset. */
export async function giveAnswers(http: ServerHttp, answers: Task[], sessionId: string | null): Promise<AnswersResult> {
	answers.forEach((answer, index) => {
		const problem = answerProblem(answer);
		if (problem) {
			throw new ProdigyInputError(`Answer ${index + 1} ${problem}`, {
				index,
				hint: 'Send tasks received from Get Questions with an "answer" field added.',
			});
		}
	});
	const reply = await call(http, {
		method: 'POST',
		path: '/give_answers',
		body: { answers, session_id: sessionId },
	});
	const response = isPlainObject(reply) ? reply : {};
	return { progress: numberOrNull(response.progress), response };
}

/** POST /end_session: tells the server the session is finished (it saves what it holds and releases its queue). */
export async function endSession(http: ServerHttp, sessionId: string): Promise<JsonObject> {
	const reply = await call(http, { method: 'POST', path: '/end_session', body: { session_id: sessionId } });
	return isPlainObject(reply) ? reply : {};
}
