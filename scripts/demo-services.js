// Stand-ins for the outside systems the example workflows talk to: a CRM / help desk, a model service, a training
// service and chat webhooks (team channel, approval requests, alerts). `npm start` runs one small server on
// 127.0.0.1 so every template works in the demo without an account anywhere, and prints each call it receives, so
// a demo user sees what a real system would have got. The e2e tests use `startRecorder`, the same recording
// server, with their own answers.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const REPO = path.join(__dirname, '..');
const FIXTURES = path.join(REPO, 'test', 'e2e', 'fixtures');

// ---- the recording server ---------------------------------------------------------------------------------------

/** @typedef {import('n8n-workflow').IDataObject} Json a JSON body: the systems n8n calls get objects */
/**
 * One request the recorder received.
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} query
 * @property {import('node:http').IncomingHttpHeaders} headers
 * @property {Buffer} body
 * @property {Json} [json] the parsed body when it was sent as JSON
 */
/**
 * What the recorder answers: JSON, or a raw body with its headers.
 * @typedef {object} Answer
 * @property {number} [status] default 200
 * @property {unknown} [json] sent as application/json when set
 * @property {string | Buffer} [body] sent when there is no json
 * @property {Record<string, string>} [headers] sent with body
 */
/** @typedef {(request: RecordedRequest) => Answer | undefined | Promise<Answer | undefined>} Respond */
/** @typedef {(line: string) => void} Log */
/** @typedef {Awaited<ReturnType<typeof startRecorder>>} Recorder */

/**
 * A local HTTP server standing in for external systems. It records every request ({ method, path, query, headers,
 * body: Buffer, json }) and answers with `respond(request)` ({ status, json } or { status, body, headers }), by
 * default 200 `{ "ok": true }`. Listens on 127.0.0.1:`port` (0: a free port chosen by the OS).
 * @param {Respond} [respond]
 * @param {{ port?: number }} [options]
 */
async function startRecorder(respond = () => ({ status: 200, json: { ok: true } }), { port = 0 } = {}) {
	/** @type {RecordedRequest[]} */
	const requests = [];
	/** @type {Set<() => boolean>} */
	const waiters = new Set();
	const server = http.createServer((req, res) => {
		/** @type {Buffer[]} */
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			const body = Buffer.concat(chunks);
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			let json;
			if (/json/.test(req.headers['content-type'] ?? '')) {
				try {
					json = JSON.parse(body.toString('utf8'));
				} catch (error) {
					json = { unparsable: error instanceof Error ? error.message : String(error) };
				}
			}
			/** @type {RecordedRequest} */
			const request = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body, json };
			requests.push(request);
			/** @type {Answer} */
			let answer;
			try {
				answer = (await respond(request)) ?? { status: 200, json: { ok: true } };
			} catch (error) {
				answer = { status: 500, json: { error: error instanceof Error ? error.message : String(error) } };
			}
			if (answer.json !== undefined) {
				res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
				res.end(JSON.stringify(answer.json));
			} else {
				res.writeHead(answer.status ?? 200, answer.headers ?? {});
				res.end(answer.body ?? '');
			}
			for (const waiter of waiters) waiter();
		});
	});
	await /** @type {Promise<void>} */ (new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	}));
	const { port: boundPort } = /** @type {import('node:net').AddressInfo} listening on TCP */ (server.address());
	const base = `http://127.0.0.1:${boundPort}`;
	return {
		base,
		port: boundPort,
		url: (/** @type {string} */ p) => `${base}${p}`,
		requests,
		/**
		 * Requests to one path, in arrival order.
		 * @param {string} p
		 */
		to: (p) => requests.filter((r) => r.path === p),
		/**
		 * Resolves with the first recorded request matching `predicate` (already there or still to come).
		 * @param {(request: RecordedRequest) => boolean} predicate
		 * @param {{ timeoutMs?: number, what?: string }} [options]
		 * @returns {Promise<RecordedRequest>}
		 */
		waitFor(predicate, { timeoutMs = 60_000, what = 'a request' } = {}) {
			return new Promise((resolve, reject) => {
				const check = () => {
					const found = requests.find(predicate);
					if (!found) return false;
					clearTimeout(timer);
					waiters.delete(check);
					resolve(found);
					return true;
				};
				const timer = setTimeout(() => {
					waiters.delete(check);
					reject(new Error(`${what} did not arrive within ${timeoutMs / 1000} s (got: ${requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'nothing'})`));
				}, timeoutMs);
				if (!check()) waiters.add(check);
			});
		},
		close: () => /** @type {Promise<void>} */ (new Promise((resolve) => server.close(() => resolve()))),
	};
}

// ---- what the demo systems hold ---------------------------------------------------------------------------------

/** New tickets in the help desk (template 1): `[{ id, customer, channel, body }]`. */
const CRM_TICKETS = [
	{ id: 'T-9001', customer: 'ACME GmbH', channel: 'email', body: 'The invoice for May lists the wrong VAT rate.' },
	{ id: 'T-9002', customer: 'Globex', channel: 'web', body: 'Password reset emails never arrive.' },
	{ id: 'T-9003', customer: 'Initech', channel: 'phone', body: 'Exported reports are missing the last day of the month.' },
];

/** The ticket classifier's latest predictions (template 3): class probabilities per ticket. */
const PREDICTIONS = [
	{ id: 'P-1', text: 'I was charged twice this month.', cats: { BILLING: 0.48, ACCOUNT: 0.44, BUG: 0.05, FEATURE: 0.03 } },
	{ id: 'P-2', text: 'The export button does nothing in Firefox.', cats: { BUG: 0.95, FEATURE: 0.03, BILLING: 0.01, ACCOUNT: 0.01 } },
	{ id: 'P-3', text: 'I cannot log in after changing my email address.', cats: { ACCOUNT: 0.4, BUG: 0.38, BILLING: 0.12, FEATURE: 0.1 } },
	{ id: 'P-4', text: 'Please add a dark mode to the dashboard.', cats: { FEATURE: 0.9, BUG: 0.05, BILLING: 0.03, ACCOUNT: 0.02 } },
	{ id: 'P-5', text: 'Refund the duplicate payment on order 4471, please.', cats: { BILLING: 0.88, ACCOUNT: 0.06, BUG: 0.04, FEATURE: 0.02 } },
	{ id: 'P-6', text: 'The app crashes when I upload an invoice.', cats: { BUG: 0.45, BILLING: 0.41, ACCOUNT: 0.1, FEATURE: 0.04 } },
].map((p) => ({ ...p, model: 'ticket-clf-3' }));

/** Unlabelled items with the model's confidence, per owning team (template 4). */
const CANDIDATES = [
	['C-01', 'billing', 0.31, 'Why was I billed for two seats?'],
	['C-02', 'billing', 0.55, 'The invoice PDF shows last month\'s address.'],
	['C-03', 'tech', 0.42, 'Sync stops after the laptop wakes from sleep.'],
	['C-04', 'billing', 0.93, 'Please send me a copy of invoice 2291.'],
	['C-05', 'tech', 0.66, 'The CSV import ignores the last column.'],
	['C-06', 'billing', 0.48, 'My discount disappeared after the plan change.'],
	['C-07', 'tech', 0.88, 'The app crashes on start on Android 14.'],
	['C-08', 'billing', 0.69, 'Can I pay by bank transfer instead of card?'],
	['C-09', 'tech', 0.25, 'Webhooks fire twice for every event.'],
	['C-10', 'billing', 0.61, 'The tax line is missing on the receipt.'],
].map(([id, team, score, text]) => ({ id, team, score, text }));

/** Closed CRM cases (template 6): the same records the template's e2e test serves. */
function crmCases() {
	return JSON.parse(fs.readFileSync(path.join(FIXTURES, '06-crm-cases.json'), 'utf8'));
}

/** @type {[string, RegExp][]} */
const TICKET_RULES = [
	['BILLING', /charg|refund|invoice|payment|billing|price|vat/i],
	['ACCOUNT', /password|log ?in|logs me out|account|locked|sign.?in/i],
	['BUG', /crash|error|broken|does nothing|not work|missing|blank/i],
];

/** The ticket classifier (template 8): a keyword label and a score derived from the text, the same on every call. */
/** @param {string} text */
function classify(text) {
	const [label] = TICKET_RULES.find(([, re]) => re.test(text)) ?? ['OTHER'];
	let hash = 0;
	for (const ch of text) hash = (hash * 31 + /** @type {number} a character has one */ (ch.codePointAt(0))) >>> 0;
	return { label, score: Math.round((0.55 + (hash % 43) / 100) * 100) / 100 };
}

/**
 * @param {unknown} text
 * @param {number} [max]
 */
function short(text, max = 60) {
	const s = String(text ?? '');
	return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Routes of the demo server: "METHOD /path" → (request, log) → answer.
 * @type {Record<string, (request: RecordedRequest, log: Log) => Answer>}
 */
const ROUTES = {
	'GET /crm/tickets': (_req, log) => {
		log(`CRM: sent ${CRM_TICKETS.length} new tickets (${CRM_TICKETS.map((t) => t.id).join(', ')})`);
		return { json: CRM_TICKETS };
	},
	'GET /crm/cases': (_req, log) => {
		const cases = crmCases();
		log(`CRM: sent ${cases.length} closed cases (${cases.map((/** @type {{ caseId: string }} */ c) => c.caseId).join(', ')})`);
		return { json: cases };
	},
	'POST /chat/team-channel': (req, log) => {
		log(`team channel message: ${req.json?.text ?? short(req.body.toString('utf8'), 200)}`);
		return { json: { ok: true } };
	},
	'POST /chat/approvals': (req, log) => {
		const { dataset, versionId, approvalUrl } = req.json ?? {};
		log(`approval requested for "${dataset}" version ${String(versionId).slice(0, 12)}: open ${approvalUrl}`);
		return { json: { ok: true } };
	},
	'POST /chat/alerts': (req, log) => {
		const alert = req.json ?? {};
		const head = alert.title ? `[${alert.severity ?? 'info'}] ${alert.title}: ` : '';
		log(`alert ${alert.channel ? `to ${alert.channel} ` : ''}${head}${alert.text}`);
		return { json: { ok: true } };
	},
	'POST /training/jobs': (req, log) => {
		const job = req.json ?? {};
		const jobId = `train-${String(job.versionId ?? 'unknown').slice(0, 12)}`;
		// Template 2 sends a train file and a dev file (Export for training with a dev share).
		const side = (/** @type {Json[string]} one side of the job: { file, count } */ s) => {
			const { file, count } = /** @type {{ file?: string, count?: number } | undefined} */ (s) ?? {};
			return `${file} (${count} examples)`;
		};
		const conflicts = job.conflicts ? `, ${job.conflicts} conflicting inputs left out` : '';
		log(`training job received: train ${side(job.train)}, dev ${side(job.dev)}, version ${String(job.versionId).slice(0, 12)} (model ${job.model}${conflicts}) -> ${jobId} queued`);
		return { json: { jobId, status: 'queued' } };
	},
	'POST /training/datasets': (req, log) => {
		const lines = req.body.toString('utf8').split('\n').filter(Boolean).length;
		const h = req.headers;
		log(`training hand-off received: "${h['x-prodigy-dataset']}" version ${String(h['x-prodigy-version']).slice(0, 12)}, ${lines} examples (${req.body.length} bytes), model ${h['x-model-version']}, approved by ${h['x-approved-by']}`);
		return { json: { ok: true, received: lines } };
	},
	'GET /model/predictions': (_req, log) => {
		log(`model service: sent ${PREDICTIONS.length} new predictions`);
		return { json: PREDICTIONS };
	},
	'POST /model/labels': (req, log) => {
		const l = req.json ?? {};
		const confidence = typeof l.confidence === 'number' ? Math.round(l.confidence * 1000) / 1000 : l.confidence;
		const from = l.source === 'review' ? `reviewer ${l.reviewer}${l.corrected ? `, model said ${l.model_label}` : ''}` : `model, confidence ${confidence}`;
		log(`model service: label ${l.label} for ${l.prediction_id} (${from})`);
		return { json: { ok: true } };
	},
	'GET /model/unlabelled': (_req, log) => {
		log(`model service: sent ${CANDIDATES.length} unlabelled candidates`);
		return { json: CANDIDATES };
	},
	'POST /model/predict': (req, log) => {
		const text = req.json?.text;
		if (typeof text !== 'string' || !text) {
			log('model service: refused a request without "text"');
			return { status: 400, json: { error: 'text is required' } };
		}
		const result = classify(text);
		log(`model service: "${short(text)}" -> ${result.label} ${result.score}`);
		return { json: result };
	},
};

/**
 * Starts the demo stand-ins on 127.0.0.1:`port` (0, or a busy port: one the OS picks). Each call is printed with
 * `log` (default: console.log with a "[demo services]" prefix). Returns the recorder with `url` (its base URL).
 * @param {{ port?: number, log?: Log }} [options]
 */
async function startDemoServices({ port = 0, log = (line) => console.log(`[demo services] ${line}`) } = {}) {
	/** @type {Respond} */
	const respond = (request) => {
		const route = ROUTES[`${request.method} ${request.path}`];
		if (route) return route(request, log);
		log(`no such endpoint: ${request.method} ${request.path}`);
		return { status: 404, json: { error: `no demo endpoint ${request.method} ${request.path}` } };
	};
	let recorder;
	try {
		recorder = await startRecorder(respond, { port });
	} catch (error) {
		if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EADDRINUSE' || port === 0) throw error;
		recorder = await startRecorder(respond, { port: 0 });
	}
	return { ...recorder, url: recorder.base };
}

// ---- the templates pointed at them --------------------------------------------------------------------------------

/**
 * The settings-node values that point each template (by its number) at the demo services and at folders under
 * `filesDir` (the only folder n8n's file nodes may use): { '01': { Config: { field: value } }, ... }.
 * @param {string} servicesUrl
 * @param {string} filesDir
 * @returns {Record<string, Record<string, Record<string, string>>>}
 */
function demoConfig(servicesUrl, filesDir) {
	const url = (/** @type {string} */ p) => `${servicesUrl}${p}`;
	const dir = (/** @type {string[]} */ ...parts) => path.join(filesDir, ...parts);
	return {
		'01': {
			Config: {
				inboxFolder: dir('prodigy', 'inbox'),
				archiveFolder: dir('prodigy', 'archive'),
				crmUrl: url('/crm/tickets?status=new'),
				teamChannelUrl: url('/chat/team-channel'),
			},
		},
		'02': { Config: { handoffFolder: dir('prodigy', 'training-handoff'), trainingServiceUrl: url('/training/jobs') } },
		'03': { Config: { modelServiceUrl: url('/model') }, 'Config (Corrections)': { modelServiceUrl: url('/model') } },
		'04': { Config: { candidatesUrl: url('/model/unlabelled'), teamChannelUrl: url('/chat/team-channel') } },
		'05': { Config: { approvalNotifyUrl: url('/chat/approvals'), trainingUrl: url('/training/datasets'), alertUrl: url('/chat/alerts') } },
		'06': {
			Config: {
				webFormFile: dir('feedback', 'web-form-submissions.jsonl'),
				emailTicketsFile: dir('feedback', 'email-tickets.csv'),
				crmUrl: url('/crm/cases?status=closed'),
			},
		},
		'07': { Config: { exportFolder: dir('prodigy-exports') } },
		'08': { 'Alert Settings': { alertUrl: url('/chat/alerts') }, 'Ingest Settings': { modelUrl: url('/model/predict') } },
	};
}

/**
 * Creates the folders the templates read and write under `filesDir` (n8n's Write File does not create folders) and
 * puts sample input files in the inbox (template 1) and feedback (template 6) folders, keeping files already there.
 * Returns the sample files written.
 * @param {string} filesDir
 */
function prepareDemoFiles(filesDir) {
	for (const parts of [['prodigy', 'inbox'], ['prodigy', 'archive'], ['prodigy', 'training-handoff'], ['prodigy-exports'], ['feedback']]) {
		fs.mkdirSync(path.join(filesDir, ...parts), { recursive: true });
	}
	/** @type {[string, string[]][]} fixture, target path parts */
	const samples = [
		['01-tickets-morning.jsonl', ['prodigy', 'inbox', 'tickets-morning.jsonl']],
		['01-tickets-noon.jsonl', ['prodigy', 'inbox', 'tickets-noon.jsonl']],
		['06-web-form-submissions.jsonl', ['feedback', 'web-form-submissions.jsonl']],
		['06-email-tickets.csv', ['feedback', 'email-tickets.csv']],
	];
	const written = [];
	for (const [fixture, target] of samples) {
		const file = path.join(filesDir, ...target);
		if (fs.existsSync(file)) continue;
		fs.copyFileSync(path.join(FIXTURES, fixture), file);
		written.push(file);
	}
	return written;
}

module.exports = { startRecorder, startDemoServices, demoConfig, prepareDemoFiles, classify, CRM_TICKETS, PREDICTIONS, CANDIDATES };
