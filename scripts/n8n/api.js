// Talks to a running n8n: the internal REST API (/rest) only where n8n offers nothing public (owner setup, login,
// creating an API key, starting a manual run), the public API (/api/v1, X-N8N-API-KEY) for everything else.
'use strict';
const crypto = require('node:crypto');
const { cacheDir } = require('./install');

// Shapes of what the harness sends to and reads from n8n (2.40's public and internal REST APIs; where 2.37-2.39
// differ, the function says so). Execution data uses
// n8n-workflow's own types: n8n-workflow is a devDependency, and what n8n returns is what it serialised from them.
/** @typedef {import('axios').AxiosInstance} AxiosInstance */
/** @typedef {{ http: AxiosInstance, api: AxiosInstance, rest: AxiosInstance }} Clients */
/** @typedef {{ api: AxiosInstance, rest: AxiosInstance }} Instance what the calls below need of startN8n's handle */
/** @typedef {{ cookie: string, browserId: string, user: unknown }} Session */
/** @typedef {{ email: string, password: string, firstName: string, lastName: string }} Owner */
/** @typedef {{ id: string, name: string, type: string }} StoredCredential */
/** @typedef {{ name: string, type: string, data: Record<string, unknown> }} CredentialInput */
/** @typedef {string | { id?: string, name?: string }} CredentialRef a node's reference: old files give only the name */
/**
 * A workflow as a file (an export, a template in examples/) or as n8n stored it.
 * @typedef {object} Workflow
 * @property {string} [id]
 * @property {string} [name]
 * @property {WorkflowNode[]} [nodes]
 * @property {import('n8n-workflow').IConnections} [connections]
 * @property {Record<string, unknown>} [settings]
 * @property {unknown} [staticData]
 * @property {Record<string, unknown>} [pinData]
 * @property {boolean} [active]
 * @property {string} [activeVersionId]
 * @property {{ versionId?: string }} [activeVersion]
 */
/** @typedef {Omit<import('n8n-workflow').INode, 'credentials'> & { credentials?: Record<string, CredentialRef> }} WorkflowNode */
/**
 * An execution as the public API returns it (with includeData: true).
 * @typedef {object} Execution
 * @property {string | number} id
 * @property {string} workflowId
 * @property {import('n8n-workflow').ExecutionStatus} status
 * @property {string} mode
 * @property {string} startedAt
 * @property {string | null} [stoppedAt]
 * @property {import('n8n-workflow').IRunExecutionData} [data]
 */
/**
 * @template T
 * @typedef {{ data: T[], nextCursor?: string | null }} Page one page of a public-API list
 */
/**
 * @typedef {{ status: string, liveVersionId?: string, pendingVersionId?: string,
 *   triggers: { nodeId: string, status: string, errorMessage?: string }[] }} PublicationStatus
 */
/** @typedef {Error & { status?: number, body?: unknown }} HttpError an Error that says what n8n answered */

// axios comes from the cached n8n install (n8n depends on it), so the repo needs no extra devDependency.
/** @returns {import('axios').AxiosStatic} */
function loadAxios() {
	const resolved = require.resolve('axios', { paths: [cacheDir()] });
	return require(resolved);
}

/**
 * Error that carries what n8n answered, without request headers (they hold the API key and session cookie).
 * @param {unknown} error what axios threw
 * @param {string} what the request, for the message
 * @returns {HttpError}
 */
function describeAxiosError(error, what) {
	const response = /** @type {{ response?: import('axios').AxiosResponse }} */ (error).response;
	if (!response) return new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
	const body = typeof response.data === 'string' ? response.data : JSON.stringify(response.data);
	/** @type {HttpError} */
	const wrapped = new Error(`${what}: HTTP ${response.status} ${body.slice(0, 2000)}`);
	wrapped.status = response.status;
	wrapped.body = response.data;
	return wrapped;
}

/**
 * The body of a response, or the error describeAxiosError makes.
 * @template T
 * @param {Promise<import('axios').AxiosResponse<T>>} promise
 * @param {string} what the request, for the message
 * @returns {Promise<T>}
 */
async function call(promise, what) {
	try {
		return (await promise).data;
	} catch (error) {
		throw describeAxiosError(error, what);
	}
}

/** axios instances for a base URL: `http` (no auth), `api` (/api/v1 with the key), `rest` (/rest with the session). */
/**
 * @param {string} baseUrl
 * @param {{ apiKey?: string, session?: Session }} [auth]
 * @returns {Clients}
 */
function createClients(baseUrl, { apiKey, session } = {}) {
	const axios = loadAxios();
	const http = axios.create({ baseURL: baseUrl, timeout: 60_000 });
	const api = axios.create({
		baseURL: `${baseUrl}/api/v1`,
		timeout: 60_000,
		headers: apiKey ? { 'X-N8N-API-KEY': apiKey } : {},
	});
	const rest = axios.create({
		baseURL: `${baseUrl}/rest`,
		timeout: 120_000,
		// n8n binds the session cookie to the browser-id header sent at login.
		headers: session ? { cookie: session.cookie, 'browser-id': session.browserId } : {},
	});
	return { http, api, rest };
}

/**
 * @param {import('axios').AxiosResponse} response
 * @returns {string} `n8n-auth=...`
 */
function authCookieFrom(response) {
	/** @type {string[]} */
	const cookies = response.headers['set-cookie'] ?? [];
	const auth = cookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
	if (!auth) throw new Error(`n8n set no n8n-auth cookie (HTTP ${response.status})`);
	return auth;
}

/**
 * Creates the instance owner on a fresh n8n (what the setup screen does), or logs in when it exists.
 * Returns the session { cookie, browserId, user }.
 * @param {Pick<Clients, 'http'>} clients
 * @param {Owner} owner
 * @returns {Promise<Session>}
 */
async function provisionOwner({ http }, owner) {
	const browserId = crypto.randomUUID();
	const headers = { 'browser-id': browserId };
	/** @type {{ data?: { userManagement?: { showSetupOnFirstLoad?: boolean } } }} */
	const settings = await call(http.get('/rest/settings'), 'GET /rest/settings');
	const needsSetup = settings.data?.userManagement?.showSetupOnFirstLoad === true;
	const request = needsSetup
		? http.post('/rest/owner/setup', owner, { headers })
		: http.post('/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password }, { headers });
	let response;
	try {
		response = await request;
	} catch (error) {
		throw describeAxiosError(error, needsSetup ? 'owner setup' : `login as ${owner.email}`);
	}
	return { cookie: authCookieFrom(response), browserId, user: response.data.data };
}

/**
 * Returns a working public-API key: the one saved for this user folder when n8n still accepts it, else a new key
 * with every scope the owner may grant.
 * @param {Pick<Clients, 'http' | 'rest'>} clients
 * @param {Session} session
 * @param {{ apiKey?: string }} [saved] the user folder's harness settings
 * @returns {Promise<string>}
 */
async function ensureApiKey({ http, rest: unauthRest }, session, saved = {}) {
	if (saved.apiKey) {
		try {
			await http.get('/api/v1/workflows', { params: { limit: 1 }, headers: { 'X-N8N-API-KEY': saved.apiKey } });
			return saved.apiKey;
		} catch (error) {
			const status = /** @type {{ response?: { status?: number } }} */ (error).response?.status;
			if (status !== 401 && status !== 403) throw describeAxiosError(error, 'checking the saved API key');
		}
	}
	const headers = { cookie: session.cookie, 'browser-id': session.browserId };
	/** @type {{ data: string[] }} */
	const scopes = await call(unauthRest.get('/api-keys/scopes', { headers }), 'GET /rest/api-keys/scopes');
	/** @type {{ data: { rawApiKey: string } }} */
	const created = await call(
		unauthRest.post(
			'/api-keys',
			{ label: `harness ${new Date().toISOString().replace(/[:.]/g, '-')}`, scopes: scopes.data, expiresAt: null },
			{ headers },
		),
		'POST /rest/api-keys',
	);
	return created.data.rawApiKey;
}

// ---- credentials ------------------------------------------------------------------------------------------------

/**
 * All credentials (public API pages with a cursor).
 * @param {Instance} instance
 * @returns {Promise<StoredCredential[]>}
 */
async function listCredentials(instance) {
	/** @type {StoredCredential[]} */
	const all = [];
	/** @type {string | undefined} */
	let cursor;
	do {
		/** @type {Page<StoredCredential>} */
		const page = await call(instance.api.get('/credentials', { params: { limit: 250, cursor } }), 'GET /api/v1/credentials');
		all.push(...page.data);
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	return all;
}

/**
 * Normalises a credentials file: n8n's `export:credentials --decrypted` output (an array, or one object) or a
 * simple list of { name, type, data }. Encrypted exports cannot be imported into another instance.
 * @param {unknown} input a parsed credentials file
 * @returns {CredentialInput[]}
 */
function normaliseCredentials(input) {
	const wrapped = /** @type {{ credentials?: unknown } | null | undefined} */ (input)?.credentials;
	/** @type {unknown[]} */
	const list = Array.isArray(input) ? input : Array.isArray(wrapped) ? wrapped : [input];
	return list.map((entry, i) => {
		const c = /** @type {{ name?: unknown, type?: unknown, data?: unknown } | null | undefined} */ (entry);
		if (!c || typeof c.name !== 'string' || typeof c.type !== 'string') {
			throw new Error(`credential #${i + 1} needs a string "name" and "type"`);
		}
		if (typeof c.data === 'string') {
			throw new Error(`credential "${c.name}" is encrypted: export it with \`n8n export:credentials --decrypted\``);
		}
		return { name: c.name, type: c.type, data: /** @type {Record<string, unknown>} */ (c.data ?? {}) };
	});
}

/**
 * Updates a credential in place (its id stays, so workflows that use it keep working). n8n 2.39.0's public API
 * answers PATCH /credentials/:id with 405 "PATCH method not allowed" (the GET /credentials/{credentialId} route it
 * added shadows the PATCH of /credentials/{id} in its openapi.yml); there the internal REST API, which the editor
 * uses to save a credential, does the same update.
 * @param {Instance} instance
 * @param {string} id
 * @param {CredentialInput} credential
 * @returns {Promise<StoredCredential>}
 */
async function updateCredential(instance, id, credential) {
	const what = `PATCH credential "${credential.name}"`;
	try {
		return await call(instance.api.patch(`/credentials/${id}`, credential), what);
	} catch (error) {
		if (/** @type {HttpError} */ (error).status !== 405) throw error;
	}
	/** @type {{ data: StoredCredential }} */
	const answer = await call(instance.rest.patch(`/credentials/${id}`, credential), `${what} (internal REST API)`);
	return answer.data;
}

/**
 * Creates (or, when one with the same name and type exists, updates) each credential. Returns a Map from
 * credential name to { id, name, type }.
 * @param {Instance} instance
 * @param {unknown} credentials a parsed credentials file (see normaliseCredentials)
 * @returns {Promise<Map<string, StoredCredential>>}
 */
async function importCredentials(instance, credentials) {
	const existing = await listCredentials(instance);
	/** @type {Map<string, StoredCredential>} */
	const byName = new Map();
	for (const credential of normaliseCredentials(credentials)) {
		const match = existing.find((e) => e.name === credential.name && e.type === credential.type);
		/** @type {StoredCredential} */
		const saved = match
			? await updateCredential(instance, match.id, credential)
			: await call(instance.api.post('/credentials', credential), `POST credential "${credential.name}"`);
		byName.set(credential.name, { id: saved.id, name: saved.name, type: saved.type });
	}
	return byName;
}

// ---- workflows --------------------------------------------------------------------------------------------------

// The public API rejects unknown properties; these are the ones its schema (n8n 2.40 openapi.yml) accepts.
const NODE_KEYS = [
	'id', 'name', 'webhookId', 'disabled', 'notesInFlow', 'notes', 'type', 'typeVersion', 'executeOnce',
	'alwaysOutputData', 'retryOnFail', 'maxTries', 'waitBetweenTries', 'continueOnFail', 'onError', 'position',
	'parameters', 'credentials',
];
const SETTINGS_KEYS = [
	'saveExecutionProgress', 'saveManualExecutions', 'saveDataErrorExecution', 'saveDataSuccessExecution',
	'executionTimeout', 'errorWorkflow', 'timezone', 'executionOrder', 'binaryMode', 'callerPolicy', 'callerIds',
	'timeSavedMode', 'timeSavedPerExecution', 'availableInMCP',
];

/**
 * @param {object} object
 * @param {string[]} keys
 * @returns {Record<string, unknown>} the defined ones of `keys`
 */
function pick(object, keys) {
	const record = /** @type {Record<string, unknown>} */ (object);
	return Object.fromEntries(keys.filter((k) => record[k] !== undefined).map((k) => [k, record[k]]));
}

/**
 * Points every node credential at the instance's credential of the same name (ids in a workflow file belong to
 * the instance it was exported from). Unknown names are left alone: n8n then reports the missing credential.
 * @param {WorkflowNode[]} nodes
 * @param {Map<string, { id: string, name: string }>} credentialsByName
 * @returns {WorkflowNode[]}
 */
function mapCredentials(nodes, credentialsByName) {
	return nodes.map((node) => {
		if (!node.credentials) return node;
		/** @type {Record<string, CredentialRef>} */
		const credentials = {};
		for (const [type, ref] of Object.entries(node.credentials)) {
			const name = typeof ref === 'string' ? ref : ref?.name;
			const found = name ? credentialsByName.get(name) : undefined;
			credentials[type] = found ? { id: found.id, name: found.name } : ref;
		}
		return { ...node, credentials };
	});
}

/**
 * @param {Instance} instance
 * @param {Record<string, unknown>} [params] the public API's filters (name, active, tags...)
 * @returns {Promise<Workflow[]>}
 */
async function listWorkflows(instance, params = {}) {
	/** @type {Workflow[]} */
	const all = [];
	/** @type {string | undefined} */
	let cursor;
	do {
		/** @type {Page<Workflow>} */
		const page = await call(
			instance.api.get('/workflows', { params: { limit: 250, excludePinnedData: true, ...params, cursor } }),
			'GET /api/v1/workflows',
		);
		all.push(...page.data);
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	return all;
}

/**
 * A stored workflow by id (with its versionId, which n8n changes on every save), or null when there is none.
 * @param {Instance} instance
 * @param {string} id
 * @returns {Promise<(Workflow & { id: string, versionId?: string }) | null>}
 */
async function getWorkflow(instance, id) {
	try {
		return (await instance.api.get(`/workflows/${id}`)).data;
	} catch (error) {
		if (/** @type {{ response?: { status?: number } }} */ (error).response?.status === 404) return null;
		throw describeAxiosError(error, `GET workflow ${id}`);
	}
}

/**
 * Creates a workflow from n8n's workflow JSON (an export or a file from examples/). Options:
 * credentials: Map name → { id, name } (from importCredentials; default: the instance's current credentials),
 * replace: update a workflow with the same name instead of creating a second one; id: update that workflow,
 * publish: publish (activate) it, so its triggers run.
 * Returns the workflow as n8n stored it.
 * @param {Instance} instance
 * @param {Workflow} workflow
 * @param {{ credentials?: Map<string, { id: string, name: string }>, replace?: boolean, id?: string, publish?: boolean }} [options]
 * @returns {Promise<Workflow & { id: string }>}
 */
async function importWorkflow(instance, workflow, { credentials, replace = false, id, publish = false } = {}) {
	const byName = credentials ?? new Map((await listCredentials(instance)).map((c) => [c.name, c]));
	/** @type {Record<string, unknown> & { name: string }} */
	const body = {
		name: workflow.name ?? 'Imported workflow',
		nodes: mapCredentials(workflow.nodes ?? [], byName).map((n) => pick(n, NODE_KEYS)),
		connections: workflow.connections ?? {},
		settings: pick(workflow.settings ?? {}, SETTINGS_KEYS),
	};
	if (workflow.staticData) body.staticData = workflow.staticData;
	if (workflow.pinData && Object.keys(workflow.pinData).length) body.pinData = workflow.pinData;
	const existing = id ? { id } : replace ? (await listWorkflows(instance, { name: body.name })).find((w) => w.name === body.name) : undefined;
	/** @type {Workflow & { id: string }} */
	const saved = existing
		? await call(instance.api.put(`/workflows/${existing.id}`, body), `PUT workflow "${body.name}"`)
		: await call(instance.api.post('/workflows', body), `POST workflow "${body.name}"`);
	if (publish) return publishWorkflow(instance, saved.id);
	return saved;
}

/**
 * Publishes (n8n 1.x: activates) a workflow so its triggers and webhooks are live.
 * @param {Instance} instance
 * @param {string} id
 * @returns {Promise<Workflow & { id: string }>}
 */
async function publishWorkflow(instance, id) {
	return call(instance.api.post(`/workflows/${id}/publish`, {}), `publish workflow ${id}`);
}

/**
 * Publishes a workflow and waits until its triggers are live. Returns the publication status; throws when a trigger
 * failed to activate or the timeout passes.
 *
 * Two ways n8n publishes, depending on its version (and N8N_USE_WORKFLOW_PUBLICATION_SERVICE):
 * - through an outbox (the default from n8n 2.40): the publish call returns before the triggers are activated (and a
 *   poll trigger's "from now" is taken at activation), so GET /rest/workflows/:id/publication-status ({ status,
 *   liveVersionId, pendingVersionId, triggers: [{ nodeId, status, errorMessage }] }) is polled until the published
 *   version's triggers all report "activated";
 * - in the publish request itself (n8n 2.37-2.39 by default): the call returns only after every trigger of the
 *   version was activated, and fails (HTTP 400, the workflow rolled back to inactive) when one was not. There
 *   publication-status answers 404 "Workflow publication status is not available", so a published answer is
 *   already the proof; the status returned then lists no triggers.
 * @param {Instance} instance
 * @param {string} id
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<PublicationStatus>}
 */
async function publishAndWait(instance, id, { timeoutMs = 60_000 } = {}) {
	const published = await publishWorkflow(instance, id);
	const versionId = published?.activeVersionId ?? published?.activeVersion?.versionId;
	const deadline = Date.now() + timeoutMs;
	/** @type {PublicationStatus | undefined} */
	let status;
	while (Date.now() < deadline) {
		/** @type {{ data: PublicationStatus }} */
		let answer;
		try {
			answer = await call(instance.rest.get(`/workflows/${id}/publication-status`), `publication status of workflow ${id}`);
		} catch (error) {
			if (!publishedInRequest(/** @type {HttpError} */ (error))) throw error;
			if (published?.active !== true || !versionId) {
				throw new Error(`workflow ${id} was not published: the publish call answered ${JSON.stringify(published)}`);
			}
			return { status: 'published', liveVersionId: versionId, triggers: [] };
		}
		status = answer.data;
		const current = !versionId || status.liveVersionId === versionId;
		if (status.status === 'published' && current && status.triggers.every((t) => t.status === 'activated')) return status;
		// Settled states (no publication in flight): a trigger that failed will not recover by waiting.
		if (status.status === 'failed' || status.status === 'partial') break;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`workflow ${id} was not published: ${JSON.stringify(status)}`);
}

/**
 * Whether publication-status refused because this n8n publishes in the request (its publication service is off),
 * as opposed to any other failure (which is thrown as it came).
 * @param {HttpError} error
 */
function publishedInRequest(error) {
	if (error.status !== 404) return false;
	const message = /** @type {{ message?: unknown } | undefined} */ (error.body)?.message;
	return typeof message === 'string' && /publication status is not available/i.test(message);
}

/**
 * @param {Instance} instance
 * @param {string} id
 * @returns {Promise<Workflow & { id: string }>}
 */
async function unpublishWorkflow(instance, id) {
	return call(instance.api.post(`/workflows/${id}/unpublish`, {}), `unpublish workflow ${id}`);
}

// ---- executions -------------------------------------------------------------------------------------------------

/** @type {ReadonlySet<string>} */
const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

/**
 * @param {Instance} instance
 * @param {string | number} id
 * @returns {Promise<Execution>}
 */
async function getExecution(instance, id) {
	return call(instance.api.get(`/executions/${id}`, { params: { includeData: true } }), `GET execution ${id}`);
}

/**
 * Executions, newest first (one page; `params` as the public API takes them: workflowId, status, limit...).
 * @param {Instance} instance
 * @param {Record<string, unknown>} [params]
 * @returns {Promise<Execution[]>}
 */
async function listExecutions(instance, params = {}) {
	/** @type {Page<Execution>} */
	const page = await call(instance.api.get('/executions', { params: { includeData: true, limit: 50, ...params } }), 'GET /api/v1/executions');
	return page.data;
}

/**
 * Waits until an execution has ended and returns it with its data. Give `executionId`, or `workflowId` to wait for
 * the first execution of that workflow with an id above `afterId` (e.g. one a trigger starts). `statuses` lists
 * what counts as ended (default success / error / crashed / canceled; add 'waiting' to stop at a Wait node).
 * @param {Instance} instance
 * @param {{ executionId?: string | number, workflowId?: string, afterId?: string | number, ranNode?: string,
 *   timeoutMs?: number, statuses?: Iterable<string> }} [options]
 * @returns {Promise<Execution>}
 */
async function waitForExecution(
	instance,
	{ executionId, workflowId, afterId = 0, ranNode, timeoutMs = 120_000, statuses = FINISHED } = {},
) {
	const done = new Set(statuses);
	const deadline = Date.now() + timeoutMs;
	// `ranNode` skips the workflow's other executions (a schedule that fires meanwhile, say) until one ran that node.
	/** @param {Execution} execution */
	const ran = (execution) => !ranNode || Boolean(execution.data?.resultData?.runData?.[ranNode]);
	const skipped = new Set();
	/** @type {Execution | undefined} */
	let last;
	while (Date.now() < deadline) {
		if (executionId !== undefined) {
			try {
				last = await getExecution(instance, executionId);
			} catch (error) {
				// A queued execution can take a moment to become readable.
				if (/** @type {HttpError} */ (error).status !== 404) throw error;
			}
		} else {
			const recent = await listExecutions(instance, { workflowId, limit: 20 });
			last = recent
				.filter((e) => Number(e.id) > Number(afterId) && !skipped.has(String(e.id)))
				.sort((a, b) => Number(a.id) - Number(b.id))[0];
		}
		if (last && done.has(last.status)) {
			const full = last.data ? last : await getExecution(instance, last.id);
			if (ran(full)) return full;
			skipped.add(String(last.id));
			last = undefined;
			continue;
		}
		await new Promise((resolve) => setTimeout(resolve, 400));
	}
	throw new Error(
		`execution ${executionId ?? `of workflow ${workflowId} after ${afterId}`}${ranNode ? ` that ran "${ranNode}"` : ''} did not end within ${timeoutMs / 1000} s (last status: ${last?.status ?? 'none'})`,
	);
}

module.exports = {
	loadAxios,
	createClients,
	provisionOwner,
	ensureApiKey,
	listCredentials,
	normaliseCredentials,
	importCredentials,
	updateCredential,
	mapCredentials,
	listWorkflows,
	getWorkflow,
	importWorkflow,
	publishWorkflow,
	publishAndWait,
	unpublishWorkflow,
	getExecution,
	listExecutions,
	waitForExecution,
	describeAxiosError,
};
