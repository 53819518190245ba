// Templates 1-4 (examples/01-04) on the real n8n with the pack installed from its tarball: each template is imported
// as a user would import it (only its Config node's values are pointed at this test's folders and services), run,
// and checked against the Prodigy database it wrote (SQLite, and PostgreSQL for templates 1 and 2) and against what
// the outside systems received. The outside systems (CRM, team channel, training service, model service) are one
// small HTTP server started here. `--queue` runs templates 1 and 2 on n8n's queue mode (the worker executes them).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const harness = require('../../scripts/n8n');
// The model-service data is the demo's: the test proves what `npm start` shows.
const { startRecorder, PREDICTIONS, CANDIDATES } = require('../../scripts/demo-services');

const REPO = path.join(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures');
const CREDENTIAL = 'Prodigy Demo DB';
const queue = harness.queueModeRequested();
/** @type {typeof import('../../lib/index')} the built dist/lib/index.js, typed from its sources */
const lib = require(path.join(REPO, 'dist', 'lib', 'index.js'));
/** @type {typeof import('../../lib/training')} the built dist/lib/training.js, typed from its sources */
const training = require(path.join(REPO, 'dist', 'lib', 'training.js'));
/** @type {typeof import('pg')} */
const { Client } = require(require.resolve('pg', { paths: [REPO] }));
const PG = { host: '127.0.0.1', port: 5432, user: process.env.PGUSER || 'postgres' };

/** @typedef {import('../../lib/index').StoreConfig} StoreConfig */
/** @typedef {import('../../lib/index').ProdigyStore} ProdigyStore */
/** @typedef {import('../../lib/index').ExampleRecord} ExampleRecord */
/** @typedef {import('../../lib/index').Task} Task */
/** @typedef {import('../../scripts/n8n/api').WorkflowNode} WorkflowNode */
/** @typedef {import('../../scripts/n8n/api').Workflow & { name: string, nodes: WorkflowNode[] }} Template an examples/ file */
/**
 * A Prodigy database of one test: the library's store config and the "Prodigy Demo DB" credential's data.
 * @typedef {{ backend: 'sqlite', store: Extract<StoreConfig, { type: 'sqlite' }>, credential: Record<string, unknown> }} SqliteDatabase
 * @typedef {{ backend: 'postgres', database: string, store: StoreConfig, credential: Record<string, unknown> }} PostgresDatabase
 * @typedef {SqliteDatabase | PostgresDatabase} Database
 */
/** @typedef {Awaited<ReturnType<typeof startServices>>} Services */
/**
 * A request as `services.received()` gives it, its body being the JSON the template sent.
 * @template T
 * @typedef {Omit<import('../../scripts/demo-services').RecordedRequest, 'body'> & { body: T }} Received
 */

/** @type {Awaited<ReturnType<typeof harness.startN8n>>} set by before() */
let n8n;
/** @type {string} */
let userFolder;
/** @type {Services} */
let services;
/** @type {string} Where the n8n process that executes workflows may read and write files (the worker's own folder in queue mode). */
let filesDir;
/** @type {(() => Promise<void>)[]} */
const cleanups = [];

// ---- outside systems ----------------------------------------------------------------------------------------------

/**
 * One HTTP server standing in for every outside system (the recording server `npm start`'s demo services use): GET
 * answers come from `respond(path, json)`, other requests get `{ ok: true }`; every request is recorded with its
 * parsed JSON body.
 */
async function startServices() {
	/** @type {Map<string, unknown>} path → the JSON a GET there answers */
	const responses = new Map();
	const recorder = await startRecorder((request) => {
		if (request.method !== 'GET') return { json: { ok: true } };
		const answer = responses.get(request.path);
		return answer === undefined ? { status: 404, json: { error: `no response set for ${request.path}` } } : { json: answer };
	});
	return {
		url: recorder.base,
		/**
		 * @param {string} pathname
		 * @param {unknown} json
		 */
		respond(pathname, json) {
			responses.set(pathname, json);
		},
		/**
		 * @param {string} method
		 * @param {string} pathname
		 */
		received(method, pathname) {
			return recorder.requests.filter((r) => r.method === method && r.path === pathname).map((r) => ({ ...r, body: r.json }));
		},
		/**
		 * Resolves once `predicate()` holds, re-checked on every request (for triggers running on their own).
		 * @param {() => boolean} predicate
		 * @param {number} timeoutMs
		 * @param {string} what
		 */
		async waitFor(predicate, timeoutMs, what) {
			if (predicate()) return;
			await recorder.waitFor(() => predicate(), { timeoutMs, what });
		},
		close: recorder.close,
	};
}

// ---- Prodigy databases --------------------------------------------------------------------------------------------

/**
 * @param {string} name
 * @returns {SqliteDatabase}
 */
function sqliteDatabase(name) {
	const file = path.join(userFolder, 'prodigy', `${name}-${crypto.randomBytes(3).toString('hex')}.db`);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	return {
		backend: 'sqlite',
		store: { type: 'sqlite', path: file },
		credential: { type: 'sqlite', path: file },
	};
}

/** @returns {Promise<PostgresDatabase>} */
async function postgresDatabase() {
	const database = `prodigy_e2e_${crypto.randomBytes(6).toString('hex')}`;
	const admin = new Client({ ...PG, database: 'postgres' });
	await admin.connect();
	try {
		// Generated from [a-z0-9_] here, never from input: safe as an identifier.
		await admin.query(`CREATE DATABASE "${database}"`);
	} finally {
		await admin.end();
	}
	cleanups.push(async () => {
		const client = new Client({ ...PG, database: 'postgres' });
		await client.connect();
		try {
			await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
		} finally {
			await client.end();
		}
	});
	return {
		backend: 'postgres',
		database,
		store: { type: 'postgres', ...PG, password: '', database },
		credential: { type: 'postgres', host: PG.host, port: PG.port, database, user: PG.user, password: '', ssl: 'disable' },
	};
}

/**
 * @template T
 * @param {Database} db
 * @param {(store: ProdigyStore) => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withStore(db, fn) {
	const store = await lib.openStore(db.store);
	try {
		return await fn(store);
	} finally {
		await store.close();
	}
}

/**
 * @param {Database} db
 * @param {string} dataset
 * @param {import('../../lib/index').GetExamplesOptions} [options]
 */
async function examplesOf(db, dataset, options) {
	return withStore(db, async (store) => {
		/** @type {ExampleRecord[]} */
		const rows = [];
		for await (const record of store.getExamples(dataset, options)) rows.push(record);
		return rows;
	});
}

/**
 * PostgreSQL rows straight from Prodigy's tables (not through the library): what Prodigy itself would read.
 * @param {PostgresDatabase} db
 * @param {string} sql
 * @param {unknown[]} [params]
 */
async function pgRows(db, sql, params = []) {
	const client = new Client({ ...PG, database: db.database });
	await client.connect();
	try {
		return (await client.query(sql, params)).rows;
	} finally {
		await client.end();
	}
}

// ---- templates ----------------------------------------------------------------------------------------------------

/**
 * @param {string} prefix
 * @returns {Template}
 */
function loadTemplate(prefix) {
	const file = fs.readdirSync(path.join(REPO, 'examples')).find((f) => f.startsWith(prefix) && f.endsWith('.json'));
	assert.ok(file, `examples/${prefix}*.json exists`);
	return JSON.parse(fs.readFileSync(path.join(REPO, 'examples', file), 'utf8'));
}

/**
 * The only change a test makes to a template: the values of its Config node(s), as a user would set them.
 * @param {Template} workflow
 * @param {Record<string, unknown>} values
 * @param {string} [nodeName]
 * @returns {Template}
 */
function configure(workflow, values, nodeName = 'Config') {
	const node = workflow.nodes.find((n) => n.name === nodeName);
	assert.ok(node, `template has a "${nodeName}" node`);
	// A Set node's fields (n8n's assignmentCollection).
	const assignments = /** @type {{ assignments: { name: string, type: string, value: unknown }[] }} */ (node.parameters.assignments).assignments;
	for (const [name, value] of Object.entries(values)) {
		const assignment = assignments.find((a) => a.name === name);
		assert.ok(assignment, `"${nodeName}" has a field "${name}"`);
		assignment.value = assignment.type === 'array' || assignment.type === 'object' ? JSON.stringify(value) : value;
	}
	return workflow;
}

/**
 * Imports the template once per database, with the "Prodigy Demo DB" credential pointing at that database.
 * @param {Template} workflow
 * @param {Database} db
 * @param {{ publish?: boolean }} [options]
 */
async function importTemplate(workflow, db, { publish = false } = {}) {
	const credentials = await harness.importCredentials(n8n, [{ name: CREDENTIAL, type: 'prodigyDatabaseApi', data: db.credential }]);
	const stored = await harness.importWorkflow(n8n, { ...workflow, name: `${workflow.name} (${db.backend} ${crypto.randomBytes(3).toString('hex')})` }, {
		credentials,
		publish,
	});
	return stored;
}

/** @param {{ id: string }} stored */
async function run(stored) {
	const result = await harness.runStoredWorkflow(n8n, stored.id, { timeoutMs: 240_000 });
	assert.equal(result.status, 'success', `run failed: ${JSON.stringify(result.error)} ${JSON.stringify(result.nodes, null, 1).slice(0, 4000)}`);
	if (queue) assertRanOnWorker(result.executionId);
	return result;
}

/**
 * In queue mode the main process only enqueues: the worker (with its own pack install) must have run it.
 * @param {string | number} executionId
 */
function assertRanOnWorker(executionId) {
	const workerLog = fs.readFileSync(path.join(userFolder, 'n8n-worker.log'), 'utf8');
	assert.match(workerLog, new RegExp(`Worker finished execution ${executionId}\\b`));
}

/** @param {...string} parts */
function folder(...parts) {
	const dir = path.join(filesDir, ...parts);
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

before(async () => {
	userFolder = harness.tempUserFolder('n8n-prodigy-templates-');
	services = await startServices();
	n8n = await harness.startN8n({ userFolder, queue, pack: { tarball: await harness.sharedTarball() } });
	// A queue worker is another machine: its file nodes may touch only its own files folder.
	filesDir = queue ? path.join(userFolder, 'worker', 'files') : n8n.filesDir;
}, { timeout: 900_000 });

after(async () => {
	if (n8n) await n8n.stop();
	for (const cleanup of cleanups.reverse()) await cleanup();
	if (services) await services.close();
	if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
});

// ---- 1: ingest ------------------------------------------------------------------------------------------------------

/**
 * What template 1 writes, as far as this test reads it: file lines keep their meta, CRM tickets get theirs.
 * @typedef {{ text: string, _task_hash: number, meta: { source: string, file?: string, ticket_id?: string, customer?: string } }} IngestedTask
 * @typedef {ExampleRecord & { task: IngestedTask }} IngestedRecord
 * @typedef {{ dataset: string, files: number, fileTasksAdded: number, fileTasksSkipped: number, crmTicketsAdded: number,
 *   crmTicketsSkipped: number, added: number, skipped: number, text: string }} IngestSummary the team-channel post
 */

const CRM_TICKETS = [
	{ id: 'T-9001', customer: 'ACME GmbH', channel: 'email', body: 'The invoice for May lists the wrong VAT rate.' },
	{ id: 'T-9002', customer: 'Globex', channel: 'web', body: 'Password reset emails never arrive.' },
];

/**
 * @param {Database} db
 * @param {string} label
 */
async function ingestTemplate(db, label) {
	const inbox = folder(label, 'inbox');
	const archive = folder(label, 'archive');
	for (const name of ['01-tickets-morning.jsonl', '01-tickets-noon.jsonl']) fs.copyFileSync(path.join(FIXTURES, name), path.join(inbox, name));
	const crmPath = `/${label}/crm/tickets`;
	const channelPath = `/${label}/channel`;
	services.respond(crmPath, CRM_TICKETS);
	const workflow = configure(loadTemplate('01-'), {
		dataset: 'support_tickets_incoming',
		inboxFolder: inbox,
		archiveFolder: archive,
		crmUrl: `${services.url}${crmPath}`,
		teamChannelUrl: `${services.url}${channelPath}`,
	});
	const stored = await importTemplate(workflow, db);

	const first = await run(stored);
	const added = harness.outputOf(first, 'Add File Tasks');
	// morning: 3 tasks; noon: 3 tasks, one repeating a morning text (skipped by input hash).
	assert.equal(added.length, 6);
	assert.deepEqual(added.map((a) => a.duplicate), [false, false, false, false, true, false]);
	const rows = /** @type {IngestedRecord[]} the tasks template 1 wrote */ (await examplesOf(db, 'support_tickets_incoming'));
	assert.equal(rows.length, 7, 'five new file tasks and two CRM tickets');
	const fromFiles = rows.filter((r) => r.task.meta.source === 'inbox');
	assert.deepEqual(fromFiles.map((r) => r.task.meta.file), [
		'01-tickets-morning.jsonl', '01-tickets-morning.jsonl', '01-tickets-morning.jsonl', '01-tickets-noon.jsonl', '01-tickets-noon.jsonl',
	]);
	// Hashes are Prodigy's for the file as written: the float 1.0 in a hashed field stays a float.
	const source = fs.readFileSync(path.join(FIXTURES, '01-tickets-morning.jsonl'), 'utf8');
	const expected = /** @type {Task[]} the fixture's lines are tasks */ (lib.parseJsonLines(source)).map((task) => lib.setHashes(task));
	for (const [i, task] of expected.entries()) {
		assert.equal(fromFiles[i].inputHash, task._input_hash);
		assert.equal(fromFiles[i].taskHash, task._task_hash);
		assert.equal(fromFiles[i].task._task_hash, task._task_hash);
	}
	const floatTask = fromFiles.find((r) => r.raw.includes('"weight": 1.0') || r.raw.includes('"weight":1.0'));
	assert.ok(floatTask, 'the float 1.0 is stored as written');
	const fromCrm = rows.filter((r) => r.task.meta.source === 'crm');
	assert.deepEqual(
		fromCrm.map((r) => [r.task.text, r.task.meta.ticket_id, r.task.meta.customer]),
		CRM_TICKETS.map((t) => [t.body, t.id, t.customer]),
	);
	for (const r of fromCrm) assert.equal(r.inputHash, lib.getInputHash({ text: r.task.text }));
	// Like `prodigy db-in`: the file tasks are also in one timestamped session dataset.
	const sessions = await withStore(db, (store) => store.listSessions('support_tickets_incoming'));
	assert.equal(sessions.length, 1);
	assert.match(sessions[0].name, /^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}$/);
	assert.equal(sessions[0].examples, 5);
	for (const name of ['01-tickets-morning.jsonl', '01-tickets-noon.jsonl']) {
		assert.equal(fs.readFileSync(path.join(archive, name), 'utf8'), fs.readFileSync(path.join(inbox, name), 'utf8'));
	}
	const [summary] = /** @type {Received<IngestSummary>[]} the JSON the template posted */ (services.received('POST', channelPath));
	assert.deepEqual(
		{ ...summary.body, text: undefined },
		{ dataset: 'support_tickets_incoming', files: 2, fileTasksAdded: 5, fileTasksSkipped: 1, crmTicketsAdded: 2, crmTicketsSkipped: 0, added: 7, skipped: 1, text: undefined },
	);
	assert.match(summary.body.text, /7 new tasks/);

	// A second run reads the same files and tickets: nothing is added twice.
	const second = await run(stored);
	assert.equal(harness.outputOf(second, 'Add CRM Tickets').filter((t) => !t.duplicate).length, 0);
	assert.equal((await examplesOf(db, 'support_tickets_incoming')).length, 7);
	const posts = /** @type {Received<IngestSummary>[]} the JSON the template posted */ (services.received('POST', channelPath));
	assert.equal(posts.length, 2);
	assert.equal(posts[1].body.added, 0);
	assert.equal(posts[1].body.skipped, 8);

	// An empty inbox and no new tickets: the run succeeds quietly and posts nothing.
	for (const name of fs.readdirSync(inbox)) fs.rmSync(path.join(inbox, name));
	services.respond(crmPath, []);
	const third = await run(stored);
	assert.deepEqual(Object.keys(third.nodes).filter((n) => n.startsWith('Add')), []);
	assert.equal(services.received('POST', channelPath).length, 2);
	return rows;
}

test('template 1 ingests inbox files and CRM tickets into a SQLite Prodigy database', async () => {
	await ingestTemplate(sqliteDatabase('t01'), 't01-sqlite');
});

test('template 1 ingests inbox files and CRM tickets into a PostgreSQL Prodigy database', async () => {
	const db = await postgresDatabase();
	await ingestTemplate(db, 't01-postgres');
	// Prodigy's own view of the rows: the hash columns equal the hashes inside content.
	/** @type {{ input_hash: string, task_hash: string, content: string }[]} pg returns BIGINT columns as strings */
	const rows = await pgRows(
		db,
		`SELECT e.input_hash, e.task_hash, convert_from(e.content, 'UTF8') AS content FROM example e
		 JOIN link l ON l.example_id = e.id JOIN dataset d ON d.id = l.dataset_id WHERE d.name = $1 ORDER BY l.id`,
		['support_tickets_incoming'],
	);
	assert.equal(rows.length, 7);
	for (const row of rows) {
		const task = JSON.parse(row.content);
		assert.equal(Number(row.input_hash), task._input_hash);
		assert.equal(Number(row.task_hash), task._task_hash);
	}
});

// ---- 2: export and retrain ------------------------------------------------------------------------------------------

/** @type {typeof import('../../scripts/demo-data')} */
const { createDemoDatabase, demoTasks, NER_DATASET } = require(path.join(REPO, 'scripts', 'demo-data.js'));

/**
 * The demo's NER answers, as far as this test reads them.
 * @typedef {{ answer?: string, tokens: { text: string }[], spans: { start: number, end: number, label: string }[] }} NerTask
 * @typedef {ExampleRecord & { task: NerTask }} NerRecord
 * @typedef {{ file: string, path: string, count: number, labels: Record<string, number> }} JobFile one side of the split
 * @typedef {{ model: string, dataset: string, format: string, versionId: string, conflicts: number, train: JobFile, dev: JobFile }} TrainingJob
 *   what template 2 posts to the training service
 */

/**
 * The demo data `npm start` ships (two annotators on news_ner), written into any Prodigy database.
 * @param {Database} db
 */
async function seedDemoData(db) {
	if (db.backend === 'sqlite') {
		await createDemoDatabase(db.store.path, { library: lib });
		return;
	}
	await withStore(db, async (store) => {
		for (const [dataset, byAnnotator] of Object.entries(demoTasks())) {
			for (const [annotator, tasks] of Object.entries(byAnnotator)) await store.addExamples(dataset, tasks, { session: annotator });
		}
	});
}

/**
 * @param {Database} db
 * @param {string} label
 */
async function exportTemplate(db, label) {
	await seedDemoData(db);
	const handoff = folder(label, 'handoff');
	const jobsPath = `/${label}/training/jobs`;
	const workflow = configure(loadTemplate('02-'), {
		dataset: NER_DATASET,
		model: 'ner-news',
		handoffFolder: handoff,
		trainingServiceUrl: `${services.url}${jobsPath}`,
	});
	const stored = await importTemplate(workflow, db);

	// The training files as the export must write them: every input with an accepted answer is one line of tokens
	// with IOB2 tags, on the side its input hash gives, unless its accepted answers disagree (then it is a conflict).
	const expectFiles = async (/** @type {TrainingJob} */ job) => {
		assert.equal(job.format, 'tokens');
		assert.match(job.versionId, /^[0-9a-f]{64}$/);
		const base = `${NER_DATASET}-${job.versionId.slice(0, 12)}`;
		assert.equal(job.train.file, `${base}.train.jsonl`);
		assert.equal(job.dev.file, `${base}.dev.jsonl`);
		assert.equal(job.train.path, path.join(handoff, job.train.file));
		assert.equal(job.dev.path, path.join(handoff, job.dev.file));
		const records = /** @type {NerRecord[]} the demo's NER answers */ (await examplesOf(db, NER_DATASET));
		/** @type {Map<number, NerTask[]>} */
		const byInput = new Map();
		for (const record of records) byInput.set(record.inputHash, [...(byInput.get(record.inputHash) ?? []), record.task]);
		const spanKey = (/** @type {NerTask} */ task) => JSON.stringify(task.spans.map((span) => [span.start, span.end, span.label]).sort());
		/** @type {Map<string, { dev: boolean, accepted: NerTask[] }>} */
		const expectedSides = new Map();
		let conflicts = 0;
		for (const [inputHash, tasks] of byInput) {
			const accepted = tasks.filter((task) => task.answer === 'accept');
			if (accepted.length === 0) continue;
			const keys = new Set(accepted.map(spanKey));
			// The demo's disagreements are bob's GPE → ORG relabels: same characters, another label.
			if (keys.size > 1 && accepted.some((a) => accepted.some((b) => a.spans.some((x) => b.spans.some((y) => x.start === y.start && x.label !== y.label))))) {
				conflicts++;
				continue;
			}
			expectedSides.set(accepted[0].tokens.map((token) => token.text).join(' '), { dev: training.isDevInput(inputHash, 20), accepted });
		}
		assert.ok(conflicts > 0, 'the demo data has disagreeing annotators');
		assert.equal(job.conflicts, conflicts);
		const sides = { train: fs.readFileSync(job.train.path, 'utf8'), dev: fs.readFileSync(job.dev.path, 'utf8') };
		const seen = new Set();
		for (const [side, text] of /** @type {['train' | 'dev', string][]} */ (Object.entries(sides))) {
			const lines = text.split('\n').filter(Boolean);
			assert.equal(lines.length, job[side].count);
			for (const line of lines) {
				/** @type {{ tokens: string[], ner_tags: string[] }} a line of the tokens format */
				const { tokens, ner_tags: tags } = JSON.parse(line);
				assert.equal(tags.length, tokens.length);
				const expected = expectedSides.get(tokens.join(' '));
				assert.ok(expected, `a line for an input with accepted answers: ${tokens.join(' ')}`);
				assert.equal(expected.dev, side === 'dev');
				// Every entity of the merged answers starts with exactly one B- tag.
				const entities = new Set(expected.accepted.flatMap((task) => task.spans.map((span) => `${span.start}-${span.end}`)));
				assert.equal(tags.filter((tag) => tag.startsWith('B-')).length, entities.size);
				assert.ok(tags.every((tag) => tag === 'O' || /^[BI]-(PERSON|ORG|GPE|DATE)$/.test(tag)));
				seen.add(tokens.join(' '));
			}
		}
		assert.equal(seen.size, expectedSides.size);
		assert.ok(job.dev.count > 0 && job.train.count > job.dev.count, `20 % dev share (${job.train.count} / ${job.dev.count})`);
		assert.ok(job.train.labels.PERSON > 0 && job.train.labels.ORG > 0);
		const dataset = await withStore(db, (store) => store.getDataset(NER_DATASET));
		assert.ok(dataset, `${NER_DATASET} exists`);
		const { versions } = /** @type {{ versions: import('../../lib/versions').VersionRecord[] }} the versions the template records */ (dataset.meta);
		const latest = versions.at(-1);
		assert.ok(latest, `${NER_DATASET} has a recorded version`);
		assert.equal(latest.id, job.versionId);
		assert.equal(latest.modelVersion, 'ner-news');
		return sides;
	};

	await run(stored);
	const jobs = /** @type {Received<TrainingJob>[]} the JSON the template posted */ (services.received('POST', jobsPath));
	assert.equal(jobs.length, 1);
	assert.equal(jobs[0].body.model, 'ner-news');
	assert.equal(jobs[0].body.dataset, NER_DATASET);
	const firstFiles = await expectFiles(jobs[0].body);
	const firstCount = jobs[0].body.train.count + jobs[0].body.dev.count;
	assert.ok(firstCount > 30 && firstCount <= 60, `most of the 60 demo sentences have an accepted answer (${firstCount})`);

	// Nothing changed: the version is known, so no export and no training job.
	const unchanged = await run(stored);
	assert.equal(harness.outputOf(unchanged, 'Record Dataset Version')[0].recorded, false);
	assert.ok(unchanged.nodes['Unchanged: Skip Retraining']);
	assert.equal(unchanged.nodes['Export Accepted Annotations'], undefined);
	assert.equal(services.received('POST', jobsPath).length, 1);

	// A new accepted annotation (a third annotator, as Prodigy's server saves it) makes a new version and a new job.
	const [task] = demoTasks()[NER_DATASET].alice;
	await withStore(db, (store) =>
		store.addExamples(NER_DATASET, [{ ...task, _annotator_id: `${NER_DATASET}-carol`, _session_id: `${NER_DATASET}-carol`, answer: 'accept' }], {
			session: 'carol',
		}),
	);
	await run(stored);
	const after = /** @type {Received<TrainingJob>[]} the JSON the template posted */ (services.received('POST', jobsPath));
	assert.equal(after.length, 2);
	assert.notEqual(after[1].body.versionId, after[0].body.versionId);
	const secondFiles = await expectFiles(after[1].body);
	// carol agreed with alice's answer to a sentence already in the files: one answer more, the same lines.
	assert.equal(after[1].body.train.count + after[1].body.dev.count, firstCount);
	assert.deepEqual(secondFiles, firstFiles);
	const files = after.flatMap((job) => [job.body.train.file, job.body.dev.file]);
	assert.deepEqual(fs.readdirSync(handoff).sort(), files.sort());
}

test('template 2 hands tokens with IOB2 tags and a dev split of a SQLite Prodigy database to training, once per version', async () => {
	await exportTemplate(sqliteDatabase('t02'), 't02-sqlite');
});

test('template 2 hands tokens with IOB2 tags and a dev split of a PostgreSQL Prodigy database to training, once per version', async () => {
	await exportTemplate(await postgresDatabase(), 't02-postgres');
});

// ---- 3: review loop -------------------------------------------------------------------------------------------------

const CATEGORIES = [
	{ id: 'BILLING', text: 'Billing' },
	{ id: 'BUG', text: 'Bug report' },
	{ id: 'ACCOUNT', text: 'Account access' },
	{ id: 'FEATURE', text: 'Feature request' },
];

/**
 * @param {Record<string, number>} cats
 * @returns {[string, number][]}
 */
function topTwo(cats) {
	return Object.entries(cats).sort((a, b) => b[1] - a[1]).slice(0, 2);
}

/**
 * What template 3 writes and posts, as far as this test reads it.
 * @typedef {{ text: string, options: { id: string, text: string }[], accept: string[], answer?: string, priority: number,
 *   meta: { prediction_id: string, suggested: string, model: string, source: string, score: number } }} ReviewTask
 * @typedef {ExampleRecord & { task: ReviewTask }} ReviewRecord
 * @typedef {{ prediction_id: string, label: string, source: string, model_label?: string, corrected?: boolean, reviewer?: string }} LabelPost
 *   what the template sends to the model service
 * @typedef {{ dataset: string, answer: string, session: string, task: ReviewTask }} ReviewerAnswer an item of the Prodigy Trigger
 */

test('template 3 queues unsure predictions for review and an active Prodigy Trigger sends reviewed labels back', async () => {
	const db = sqliteDatabase('t03');
	const base = '/t03/model';
	services.respond(`${base}/predictions`, PREDICTIONS);
	const workflow = configure(loadTemplate('03-'), {
		modelServiceUrl: `${services.url}${base}`,
		reviewQueue: 'ticket_review_queue',
		reviewBelow: 0.5,
		categories: CATEGORIES,
	});
	configure(workflow, { modelServiceUrl: `${services.url}${base}` }, 'Config (Corrections)');
	const stored = await importTemplate(workflow, db);
	const labels = () => services.received('POST', `${base}/labels`).map((r) => /** @type {LabelPost} the JSON the template posted */ (r.body));

	// Part 1: margins below 0.5 (P-1, P-3, P-6) are queued for review, the others go back as accepted.
	await run(stored);
	const queued = /** @type {ReviewRecord[]} the tasks template 3 queued */ (await examplesOf(db, 'ticket_review_queue'));
	// Written most uncertain first (Confidence Filter's Review Order), the order Prodigy serves the queue in.
	assert.deepEqual(queued.map((r) => r.task.meta.prediction_id), ['P-3', 'P-1', 'P-6']);
	const priorities = queued.map((r) => r.task.priority);
	assert.deepEqual(priorities, [...priorities].sort((a, b) => b - a));
	for (const record of queued) {
		const prediction = PREDICTIONS.find((p) => p.id === record.task.meta.prediction_id);
		assert.ok(prediction, `${record.task.meta.prediction_id} is one of the model's predictions`);
		const [[top, first], [, second]] = topTwo(prediction.cats);
		assert.equal(record.task.text, prediction.text);
		assert.deepEqual(record.task.options, CATEGORIES);
		assert.deepEqual(record.task.accept, [top]);
		assert.equal(record.task.meta.suggested, top);
		assert.equal(record.task.meta.model, 'ticket-clf-3');
		assert.equal(record.task.meta.source, 'model-review');
		assert.ok(Math.abs(record.task.meta.score - (first - second)) < 1e-9, 'meta.score is the margin');
		assert.ok(Math.abs(record.task.priority - (1 - (first - second))) < 1e-9, 'priority is the uncertainty');
		assert.equal(record.task.answer, undefined);
		assert.equal(record.inputHash, lib.getInputHash({ text: prediction.text }));
		assert.equal(record.taskHash, lib.getTaskHash(lib.setHashes({ text: prediction.text, options: CATEGORIES })));
	}
	assert.deepEqual(
		labels().map((l) => [l.prediction_id, l.label, l.source]),
		[['P-2', 'BUG', 'model'], ['P-4', 'FEATURE', 'model'], ['P-5', 'BILLING', 'model']],
	);

	// Run again: tickets already queued are not asked twice.
	const again = await run(stored);
	assert.equal(again.nodes['Queue for Review'], undefined);
	assert.equal((await examplesOf(db, 'ticket_review_queue')).length, 3);

	// Part 2: the lead created the review dataset (`prodigy dataset ticket_review`), the workflow is published, then a
	// reviewer answers in Prodigy while n8n runs.
	await withStore(db, (store) => store.createDataset('ticket_review', { description: 'Reviewed ticket labels' }));
	await harness.publishAndWait(n8n, stored.id);
	try {
		const now = Math.floor(Date.now() / 1000);
		const answers = /** @type {[string, string, string[]][]} prediction id, answer, accepted options */ ([
			['P-1', 'accept', ['ACCOUNT']],
			['P-3', 'accept', ['ACCOUNT']],
			['P-6', 'reject', []],
		]).map(([id, answer, accept], i) => {
			const record = queued.find((r) => r.task.meta.prediction_id === id);
			assert.ok(record, `${id} was queued for review`);
			const { task } = record;
			return {
				...task,
				accept,
				answer,
				_view_id: 'choice',
				_session_id: 'ticket_review-alex',
				_annotator_id: 'ticket_review-alex',
				_timestamp: now + i,
			};
		});
		await withStore(db, (store) => store.addExamples('ticket_review', answers, { session: 'alex' }));
		const corrections = () => labels().filter((l) => l.source === 'review');
		await services.waitFor(() => corrections().length >= 2, 150_000, 'the corrected labels from the Prodigy Trigger');
		assert.deepEqual(corrections(), [
			{ prediction_id: 'P-1', label: 'ACCOUNT', source: 'review', model_label: 'BILLING', corrected: true, reviewer: 'ticket_review-alex' },
			{ prediction_id: 'P-3', label: 'ACCOUNT', source: 'review', model_label: 'ACCOUNT', corrected: false, reviewer: 'ticket_review-alex' },
		]);
		// Both answers were saved in one transaction, so one poll found them: one execution started by the trigger
		// (the hourly schedule may fire meanwhile: that execution is not the one asserted on).
		const triggered = harness.summarise(
			await harness.waitForExecution(n8n, { workflowId: stored.id, afterId: again.executionId, ranNode: 'When a Reviewer Accepts' }),
		);
		assert.equal(triggered.mode, 'trigger');
		assert.equal(triggered.status, 'success');
		if (queue) assertRanOnWorker(triggered.executionId);
		assert.deepEqual(
			/** @type {ReviewerAnswer[]} the trigger's items */ (harness.outputOf(triggered, 'When a Reviewer Accepts')).map((a) => [a.dataset, a.answer, a.session, a.task.meta.prediction_id]),
			[['ticket_review', 'accept', 'ticket_review-alex', 'P-1'], ['ticket_review', 'accept', 'ticket_review-alex', 'P-3']],
		);
	} finally {
		await harness.unpublishWorkflow(n8n, stored.id);
	}
});

// ---- 4: active-learning queues --------------------------------------------------------------------------------------

const TEAMS = [
	{ team: 'billing', queueDataset: 'al_queue_billing', labelsDataset: 'al_labels_billing', members: ['alice', 'bob'] },
	{ team: 'tech', queueDataset: 'al_queue_tech', labelsDataset: 'al_labels_tech', members: ['carol'] },
];

/**
 * What template 4 writes and posts, as far as this test reads it.
 * @typedef {{ text: string, meta: { candidate_id: string, assignee: string, rank: number, score: number, source: string } }} QueuedTask
 * @typedef {ExampleRecord & { task: QueuedTask }} QueuedRecord
 * @typedef {{ member: string, assigned: number, done: number, open: number }} MemberProgress
 * @typedef {{ team: string, assigned: number, done: number, percentDone: number, members: MemberProgress[] }} TeamProgress
 * @typedef {{ text: string, teams: TeamProgress[] }} ProgressReport the team-channel post
 */

test('template 4 queues the most uncertain items per team and member and reports completion', async () => {
	const db = sqliteDatabase('t04');
	const base = '/t04';
	services.respond(`${base}/unlabelled`, CANDIDATES);
	const workflow = configure(loadTemplate('04-'), {
		candidatesUrl: `${services.url}${base}/unlabelled`,
		reviewBelow: 0.7,
		maxPerRun: 5,
		teams: TEAMS,
		teamChannelUrl: `${services.url}${base}/channel`,
	});
	const stored = await importTemplate(workflow, db);
	const reports = () => services.received('POST', `${base}/channel`).map((r) => /** @type {ProgressReport} the JSON the template posted */ (r.body));
	// In rank order (the node writes each session's tasks as one batch, so link order groups them by session).
	const queueOf = async (/** @type {string} */ dataset) =>
		/** @type {QueuedRecord[]} the tasks template 4 queued */ (await examplesOf(db, dataset))
			.map((r) => /** @type {[string, string, number]} */ ([r.task.meta.candidate_id, r.task.meta.assignee, r.task.meta.rank]))
			.sort((a, b) => a[2] - b[2]);
	const sessionsOf = async (/** @type {string} */ dataset) =>
		Object.fromEntries((await withStore(db, (store) => store.listSessions(dataset))).map((s) => [s.name, s.examples]));

	// The 5 lowest scores below 0.7 (C-09, C-01, C-03, C-06, C-02) are queued, round-robin per team by rank.
	await run(stored);
	assert.deepEqual(await queueOf('al_queue_billing'), [['C-01', 'alice', 2], ['C-06', 'bob', 4], ['C-02', 'alice', 5]]);
	assert.deepEqual(await queueOf('al_queue_tech'), [['C-09', 'carol', 1], ['C-03', 'carol', 3]]);
	assert.deepEqual(await sessionsOf('al_queue_billing'), { 'al_queue_billing-alice': 2, 'al_queue_billing-bob': 1 });
	assert.deepEqual(await sessionsOf('al_queue_tech'), { 'al_queue_tech-carol': 2 });
	const queued = /** @type {QueuedRecord[]} the tasks template 4 queued */ (await examplesOf(db, 'al_queue_billing')).find((r) => r.task.meta.candidate_id === 'C-01');
	assert.ok(queued, 'C-01 is in the billing queue');
	assert.equal(queued.task.text, CANDIDATES[0].text);
	assert.equal(queued.task.meta.score, 0.31);
	assert.equal(queued.task.meta.source, 'active-learning');
	assert.equal(queued.inputHash, lib.getInputHash({ text: CANDIDATES[0].text }));
	const labels = await withStore(db, (store) => store.getDataset('al_labels_billing'));
	assert.ok(labels, 'the template created al_labels_billing');
	assert.equal(labels.meta.description, 'Labels of team billing');
	const [first] = reports();
	assert.deepEqual(
		first.teams.map((t) => [t.team, t.assigned, t.done, t.members.map((m) => [m.member, m.assigned, m.done])]),
		[
			['billing', 3, 0, [['alice', 2, 0], ['bob', 1, 0]]],
			['tech', 2, 0, [['carol', 2, 0]]],
		],
	);
	assert.match(first.text, /billing: 0\/3 done/);

	// Annotators label their queues in Prodigy (named sessions in the labels datasets), a new candidate arrives.
	const now = Math.floor(Date.now() / 1000);
	/**
	 * @param {QueuedRecord} record
	 * @param {string} member
	 * @param {string} dataset
	 * @param {string} answerValue
	 * @param {number} i
	 */
	const answer = (record, member, dataset, answerValue, i) => ({
		...record.task,
		answer: answerValue,
		_view_id: 'classification',
		_session_id: `${dataset}-${member}`,
		_annotator_id: `${dataset}-${member}`,
		_timestamp: now + i,
	});
	const queuedTask = async (/** @type {string} */ dataset, /** @type {string} */ id) => {
		const record = /** @type {QueuedRecord[]} the tasks template 4 queued */ (await examplesOf(db, dataset)).find((r) => r.task.meta.candidate_id === id);
		assert.ok(record, `${id} is in ${dataset}`);
		return record;
	};
	const aliceAnswers = [
		answer(await queuedTask('al_queue_billing', 'C-01'), 'alice', 'al_labels_billing', 'accept', 0),
		answer(await queuedTask('al_queue_billing', 'C-02'), 'alice', 'al_labels_billing', 'reject', 1),
	];
	const carolAnswers = [answer(await queuedTask('al_queue_tech', 'C-09'), 'carol', 'al_labels_tech', 'accept', 2)];
	await withStore(db, async (store) => {
		await store.addExamples('al_labels_billing', aliceAnswers, { session: 'alice' });
		await store.addExamples('al_labels_tech', carolAnswers, { session: 'carol' });
	});
	services.respond(`${base}/unlabelled`, [...CANDIDATES, { id: 'C-11', team: 'billing', score: 0.2, text: 'I was charged after cancelling.' }]);
	await run(stored);
	// C-11 is new (rank 1, alice's turn); the other top-5 items were queued already and are skipped.
	assert.deepEqual(await queueOf('al_queue_billing'), [['C-11', 'alice', 1], ['C-01', 'alice', 2], ['C-06', 'bob', 4], ['C-02', 'alice', 5]]);
	assert.equal((await examplesOf(db, 'al_queue_tech')).length, 2);
	const second = reports()[1];
	assert.deepEqual(
		second.teams.map((t) => [t.team, t.assigned, t.done, t.percentDone, t.members.map((m) => [m.member, m.assigned, m.done, m.open])]),
		[
			['billing', 4, 2, 50, [['alice', 3, 2, 1], ['bob', 1, 0, 1]]],
			['tech', 2, 1, 50, [['carol', 2, 1, 1]]],
		],
	);
	assert.match(second.text, /alice 2\/3/);
});
