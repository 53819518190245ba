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
const http = require('node:http');
const path = require('node:path');
const harness = require('../../scripts/n8n');

const REPO = path.join(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures');
const CREDENTIAL = 'Prodigy Demo DB';
const queue = harness.queueModeRequested();
const lib = require(path.join(REPO, 'dist', 'lib', 'index.js'));
const { Client } = require(require.resolve('pg', { paths: [REPO] }));
const PG = { host: '127.0.0.1', port: 5432, user: process.env.PGUSER || 'postgres' };

let n8n;
let userFolder;
let services;
/** Where the n8n process that executes workflows may read and write files (the worker's own folder in queue mode). */
let filesDir;
const cleanups = [];

// ---- outside systems ----------------------------------------------------------------------------------------------

/**
 * One HTTP server standing in for every outside system: GET answers come from `responses` (path → JSON), every
 * request is recorded with its parsed JSON body.
 */
function startServices() {
	const requests = [];
	const responses = new Map();
	const waiters = new Set();
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8');
			let body = null;
			if (text) {
				try {
					body = JSON.parse(text);
				} catch (error) {
					body = { unparsable: text, error: error.message };
				}
			}
			const url = new URL(req.url, 'http://localhost');
			requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), body });
			for (const waiter of waiters) waiter();
			const answer = req.method === 'GET' ? responses.get(url.pathname) : { ok: true };
			res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(answer ?? { error: `no response set for ${url.pathname}` }));
		});
	});
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			const url = `http://127.0.0.1:${server.address().port}`;
			resolve({
				url,
				requests,
				respond(pathname, json) {
					responses.set(pathname, json);
				},
				received(method, pathname) {
					return requests.filter((r) => r.method === method && r.path === pathname);
				},
				/** Resolves once `predicate()` holds, re-checked on every request (for triggers running on their own). */
				waitFor(predicate, timeoutMs, what) {
					return new Promise((resolveWait, reject) => {
						const check = () => {
							if (!predicate()) return;
							waiters.delete(check);
							clearTimeout(timer);
							resolveWait();
						};
						const timer = setTimeout(() => {
							waiters.delete(check);
							reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
						}, timeoutMs);
						waiters.add(check);
						check();
					});
				},
				close: () => new Promise((r) => server.close(r)),
			});
		});
	});
}

// ---- Prodigy databases --------------------------------------------------------------------------------------------

function sqliteDatabase(name) {
	const file = path.join(userFolder, 'prodigy', `${name}-${crypto.randomBytes(3).toString('hex')}.db`);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	return {
		backend: 'sqlite',
		store: { type: 'sqlite', path: file },
		credential: { type: 'sqlite', path: file },
	};
}

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

async function withStore(db, fn) {
	const store = await lib.openStore(db.store);
	try {
		return await fn(store);
	} finally {
		await store.close();
	}
}

async function examplesOf(db, dataset, options) {
	return withStore(db, async (store) => {
		const rows = [];
		for await (const record of store.getExamples(dataset, options)) rows.push(record);
		return rows;
	});
}

/** PostgreSQL rows straight from Prodigy's tables (not through the library): what Prodigy itself would read. */
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

function loadTemplate(prefix) {
	const file = fs.readdirSync(path.join(REPO, 'examples')).find((f) => f.startsWith(prefix) && f.endsWith('.json'));
	assert.ok(file, `examples/${prefix}*.json exists`);
	return JSON.parse(fs.readFileSync(path.join(REPO, 'examples', file), 'utf8'));
}

/** The only change a test makes to a template: the values of its Config node(s), as a user would set them. */
function configure(workflow, values, nodeName = 'Config') {
	const node = workflow.nodes.find((n) => n.name === nodeName);
	assert.ok(node, `template has a "${nodeName}" node`);
	const assignments = node.parameters.assignments.assignments;
	for (const [name, value] of Object.entries(values)) {
		const assignment = assignments.find((a) => a.name === name);
		assert.ok(assignment, `"${nodeName}" has a field "${name}"`);
		assignment.value = typeof value === 'string' ? value : JSON.stringify(value);
	}
	return workflow;
}

/** Imports the template once per database, with the "Prodigy Demo DB" credential pointing at that database. */
async function importTemplate(workflow, db, { publish = false } = {}) {
	const credentials = await harness.importCredentials(n8n, [{ name: CREDENTIAL, type: 'prodigyDatabaseApi', data: db.credential }]);
	const stored = await harness.importWorkflow(n8n, { ...workflow, name: `${workflow.name} (${db.backend} ${crypto.randomBytes(3).toString('hex')})` }, {
		credentials,
		publish,
	});
	return stored;
}

async function run(stored) {
	const result = await harness.runStoredWorkflow(n8n, stored.id, { timeoutMs: 240_000 });
	assert.equal(result.status, 'success', `run failed: ${JSON.stringify(result.error)} ${JSON.stringify(result.nodes, null, 1).slice(0, 4000)}`);
	if (queue) assertRanOnWorker(result.executionId);
	return result;
}

/** In queue mode the main process only enqueues: the worker (with its own pack install) must have run it. */
function assertRanOnWorker(executionId) {
	const workerLog = fs.readFileSync(path.join(userFolder, 'n8n-worker.log'), 'utf8');
	assert.match(workerLog, new RegExp(`Worker finished execution ${executionId}\\b`));
}

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

const CRM_TICKETS = [
	{ id: 'T-9001', customer: 'ACME GmbH', channel: 'email', body: 'The invoice for May lists the wrong VAT rate.' },
	{ id: 'T-9002', customer: 'Globex', channel: 'web', body: 'Password reset emails never arrive.' },
];

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
	const rows = await examplesOf(db, 'support_tickets_incoming');
	assert.equal(rows.length, 7, 'five new file tasks and two CRM tickets');
	const fromFiles = rows.filter((r) => r.task.meta.source === 'inbox');
	assert.deepEqual(fromFiles.map((r) => r.task.meta.file), [
		'01-tickets-morning.jsonl', '01-tickets-morning.jsonl', '01-tickets-morning.jsonl', '01-tickets-noon.jsonl', '01-tickets-noon.jsonl',
	]);
	// Hashes are Prodigy's for the file as written: the float 1.0 in a hashed field stays a float.
	const source = fs.readFileSync(path.join(FIXTURES, '01-tickets-morning.jsonl'), 'utf8');
	const expected = lib.parseJsonLines(source).map((task) => lib.setHashes(task));
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
	const [summary] = services.received('POST', channelPath);
	assert.deepEqual(
		{ ...summary.body, text: undefined },
		{ dataset: 'support_tickets_incoming', files: 2, fileTasksAdded: 5, fileTasksSkipped: 1, crmTicketsAdded: 2, crmTicketsSkipped: 0, added: 7, skipped: 1, text: undefined },
	);
	assert.match(summary.body.text, /7 new tasks/);

	// A second run reads the same files and tickets: nothing is added twice.
	const second = await run(stored);
	assert.equal(harness.outputOf(second, 'Add CRM Tickets').filter((t) => !t.duplicate).length, 0);
	assert.equal((await examplesOf(db, 'support_tickets_incoming')).length, 7);
	const posts = services.received('POST', channelPath);
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

const { createDemoDatabase, demoTasks, NER_DATASET } = require(path.join(REPO, 'scripts', 'demo-data.js'));

/** The demo data `npm start` ships (two annotators on news_ner), written into any Prodigy database. */
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

	const expectFile = async (job) => {
		const accepted = await examplesOf(db, NER_DATASET, { answer: 'accept' });
		assert.equal(job.count, accepted.length);
		assert.match(job.versionId, /^[0-9a-f]{64}$/);
		assert.equal(job.file, `${NER_DATASET}-${job.versionId.slice(0, 12)}.jsonl`);
		assert.equal(job.path, path.join(handoff, job.file));
		// Byte for byte what Prodigy stored for each accepted example, in the order they were saved (db-out).
		const written = fs.readFileSync(path.join(handoff, job.file), 'utf8');
		assert.equal(written, accepted.map((r) => `${r.raw}\n`).join(''));
		assert.equal(job.byteSize, Buffer.byteLength(written));
		const dataset = await withStore(db, (store) => store.getDataset(NER_DATASET));
		assert.equal(dataset.meta.versions.at(-1).id, job.versionId);
		assert.equal(dataset.meta.versions.at(-1).modelVersion, 'ner-news');
		return accepted.length;
	};

	await run(stored);
	const jobs = services.received('POST', jobsPath);
	assert.equal(jobs.length, 1);
	assert.equal(jobs[0].body.model, 'ner-news');
	assert.equal(jobs[0].body.dataset, NER_DATASET);
	assert.equal(jobs[0].body.format, 'jsonl');
	const firstCount = await expectFile(jobs[0].body);
	assert.ok(firstCount > 40 && firstCount < 80, `most of the demo answers are accepts (${firstCount})`);

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
	const after = services.received('POST', jobsPath);
	assert.equal(after.length, 2);
	assert.notEqual(after[1].body.versionId, after[0].body.versionId);
	assert.equal(await expectFile(after[1].body), firstCount + 1);
	assert.deepEqual(fs.readdirSync(handoff).sort(), [after[0].body.file, after[1].body.file].sort());
}

test('template 2 hands the accepted annotations of a SQLite Prodigy database to training, once per version', async () => {
	await exportTemplate(sqliteDatabase('t02'), 't02-sqlite');
});

test('template 2 hands the accepted annotations of a PostgreSQL Prodigy database to training, once per version', async () => {
	await exportTemplate(await postgresDatabase(), 't02-postgres');
});
