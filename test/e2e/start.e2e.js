// README's `npm start -- --check` end to end: the demo's whole setup (demo database, demo services, sample files,
// credentials, the eight templates pointed at the demo services) in a temporary user folder, then every template run
// once on the real n8n from the trigger its Execute workflow button uses. Asserts each template passed (template 5
// stops waiting for its approver), what the demo
// services printed, and what the runs left in the demo Prodigy database, the files folder and the audit database.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { DatabaseSync } = require('node:sqlite');
const harness = require('../../scripts/n8n');

const REPO = path.join(__dirname, '..', '..');
/** @type {typeof import('pg')} */
const { Client } = require(require.resolve('pg', { paths: [REPO] }));
const PG = { host: '127.0.0.1', port: 5432, user: process.env.PGUSER || 'postgres' };
const TEMPLATES = fs.readdirSync(path.join(REPO, 'examples')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();

/**
 * The fields of a stored task and of a dataset's meta that these tests read.
 * @typedef {{ meta: Record<string, unknown>, answer?: string, label?: string, _input_hash?: number }} StoredTask
 * @typedef {{ versions: { id: string }[], approvalRequests: unknown[], approvals: { mode: string }[] }} DatasetMeta
 * @typedef {{ code: number | string | null, stdout: string, stderr: string }} Run the exit code, or the signal that ended it
 */

/** @type {string} */
let userFolder;
const auditDb = `prodigy_demo_audit_${crypto.randomBytes(5).toString('hex')}`;
// The repo's own demo folder must stay as it was: --user-folder keeps the check away from it.
const repoDemo = path.join(REPO, '.n8n-local');
const repoDemoBefore = fs.existsSync(repoDemo) ? fs.statSync(repoDemo).mtimeMs : null;
/** @type {Run} the first `npm start -- --check` */
let run;
/** @type {number} */
let port;

/**
 * @template T
 * @param {string} database
 * @param {(client: import('pg').Client) => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withPg(database, fn) {
	const client = new Client({ ...PG, database });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

// README's own command, `npm start -- --check`, exactly as a user types it (through scripts/node24.js).
/**
 * @param {string[]} args
 * @returns {Promise<Run>}
 */
function startCheck(args) {
	return new Promise((resolve, reject) => {
		const child = spawn('npm', ['start', '--', ...args], {
			cwd: REPO,
			env: process.env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => {
			stdout += chunk;
		});
		child.stderr.on('data', (chunk) => {
			stderr += chunk;
		});
		child.on('error', reject);
		child.on('exit', (code, signal) => resolve({ code: signal ?? code, stdout, stderr }));
	});
}

/**
 * Examples linked to a dataset in the demo Prodigy database, as Prodigy's own tables hold them.
 * @param {string} dataset
 * @returns {StoredTask[]}
 */
function tasksOf(dataset) {
	const db = new DatabaseSync(path.join(userFolder, 'prodigy', 'prodigy.db'), { readOnly: true });
	try {
		return db
			.prepare('SELECT e.content AS content FROM example e JOIN link l ON l.example_id = e.id JOIN dataset d ON d.id = l.dataset_id WHERE d.name = ? ORDER BY l.id')
			.all(dataset)
			.map((r) => JSON.parse(Buffer.from(/** @type {Uint8Array} */ (r.content)).toString('utf8')));
	} finally {
		db.close();
	}
}

/**
 * @param {string} dataset
 * @returns {DatasetMeta | null}
 */
function datasetMeta(dataset) {
	const db = new DatabaseSync(path.join(userFolder, 'prodigy', 'prodigy.db'), { readOnly: true });
	try {
		const row = db.prepare('SELECT meta FROM dataset WHERE name = ?').get(dataset);
		return row ? JSON.parse(Buffer.from(/** @type {Uint8Array} */ (row.meta)).toString('utf8')) : null;
	} finally {
		db.close();
	}
}

/**
 * The lines the demo services printed, without their prefix.
 * @param {RegExp} pattern
 */
function servicesSaid(pattern) {
	return run.stdout
		.split('\n')
		.filter((line) => line.startsWith('[demo services] '))
		.map((line) => line.slice('[demo services] '.length))
		.filter((line) => pattern.test(line));
}

before(async () => {
	userFolder = harness.tempUserFolder('n8n-prodigy-start-');
	port = await harness.freePort();
	// The e2e runner's tarball (N8N_PRODIGY_TARBALL) is what start.js installs; without the runner, one is packed.
	process.env.N8N_PRODIGY_TARBALL = await harness.sharedTarball();
	run = await startCheck(['--check', '--no-build', '--user-folder', userFolder, '--port', String(port), '--audit-db', auditDb]);
}, { timeout: 1_200_000 });

after(async () => {
	await withPg('postgres', (client) => client.query(`DROP DATABASE IF EXISTS "${auditDb}" WITH (FORCE)`));
	if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
});

test('npm start -- --check passes every template and exits 0', () => {
	const context = `exit ${run.code}\n${run.stdout.slice(-6000)}\n${run.stderr.slice(-3000)}`;
	assert.equal(run.code, 0, context);
	const verdicts = run.stdout.split('\n').filter((line) => /^ {2}(PASS|FAIL|SKIP) {2}/.test(line));
	for (const template of TEMPLATES) {
		const lines = verdicts.filter((line) => line.includes(` ${template} `) || line.includes(` ${template}:`));
		assert.ok(lines.length >= 1, `a verdict for ${template}\n${context}`);
		for (const line of lines) assert.match(line, /^ {2}PASS /, line);
	}
	assert.match(verdicts.find((line) => line.includes('05-')) ?? '', /waiting for approval in "Ask the Data Owner"/);
	// Each template ran from the trigger its Execute workflow button uses (n8n's default pick).
	assert.match(verdicts.find((line) => line.includes('01-')) ?? '', /from "Every 15 Minutes"/);
	assert.match(verdicts.find((line) => line.includes('03-')) ?? '', /from "Predictions Ready"/);
	assert.match(verdicts.find((line) => line.includes('08-')) ?? '', /from "Tickets from the Help Desk"/);
	assert.match(run.stdout, new RegExp(`\\n${verdicts.length} passed, 0 failed\\n`));
	assert.match(run.stdout, /n8n stopped\./);
	// Everything outside the temporary folder stayed where it was.
	assert.equal(fs.existsSync(repoDemo) ? fs.statSync(repoDemo).mtimeMs : null, repoDemoBefore);
});

test('the demo services received and printed each template\'s calls', () => {
	assert.equal(servicesSaid(/^CRM: sent 3 new tickets/).length, 1);
	assert.deepEqual(servicesSaid(/^team channel message: Prodigy ingest/), [
		'team channel message: Prodigy ingest into "support_tickets_incoming": 8 new tasks (5 from 2 file(s), 3 from the CRM), 1 already in the dataset.',
	]);
	const [training] = servicesSaid(/^training job received/);
	assert.match(
		training,
		/^training job received: train news_ner-([0-9a-f]{12})\.train\.jsonl \(\d+ examples\), dev news_ner-\1\.dev\.jsonl \(\d+ examples\), version \1 \(model ner-news/,
	);
	// Template 3 part 1, from the pinned call on its webhook: the confident predictions go back as accepted.
	assert.deepEqual(servicesSaid(/^model service: label/), [
		'model service: label BUG for P-2 (model, confidence 0.92)',
		'model service: label FEATURE for P-4 (model, confidence 0.85)',
		'model service: label BILLING for P-5 (model, confidence 0.82)',
	]);
	assert.equal(servicesSaid(/^team channel message: Active-learning queues/).length, 1);
	const [approval] = servicesSaid(/^approval requested/);
	assert.match(approval, /^approval requested for "news_ner" version [0-9a-f]{12}: open http:\/\/127\.0\.0\.1:\d+\/webhook-waiting\/\d+\/.*signature=/);
	assert.equal(servicesSaid(/^CRM: sent 3 closed cases/).length, 1);
	assert.equal(servicesSaid(/^model service: ".*" -> /).length, 2);
	assert.deepEqual(servicesSaid(/^no such endpoint/), []);
});

test('the runs wrote the demo Prodigy database, the files folder and the audit database', async () => {
	const filesDir = path.join(userFolder, 'files');
	// 1: five new tasks from the two sample files (one repeated text skipped) and three CRM tickets.
	const incoming = tasksOf('support_tickets_incoming');
	assert.deepEqual(incoming.map((t) => t.meta.source), ['inbox', 'inbox', 'inbox', 'inbox', 'inbox', 'crm', 'crm', 'crm']);
	assert.deepEqual(fs.readdirSync(path.join(filesDir, 'prodigy', 'archive')).sort(), ['tickets-morning.jsonl', 'tickets-noon.jsonl']);
	// 2 and 7: the accepted annotations handed off as training data (one line per input, tokens with IOB2 tags, a
	// train and a dev file), and the version export of the whole dataset.
	const acceptedInputs = new Set(tasksOf('news_ner').filter((t) => t.answer === 'accept').map((t) => t._input_hash));
	const handoffDir = path.join(filesDir, 'prodigy', 'training-handoff');
	const handoffFiles = fs.readdirSync(handoffDir).sort();
	assert.deepEqual(handoffFiles.map((f) => f.replace(/-[0-9a-f]{12}\./, '-<v>.')), ['news_ner-<v>.dev.jsonl', 'news_ner-<v>.train.jsonl']);
	const lines = handoffFiles.flatMap((f) => fs.readFileSync(path.join(handoffDir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
	assert.ok(lines.length > 0 && lines.length <= acceptedInputs.size, `${lines.length} lines for ${acceptedInputs.size} accepted inputs`);
	for (const line of lines) assert.equal(line.ner_tags.length, line.tokens.length);
	const said = /train \S+ \((\d+) examples\), dev \S+ \((\d+) examples\)/.exec(servicesSaid(/^training job received/)[0]);
	assert.equal(Number(said?.[1]) + Number(said?.[2]), lines.length);
	const versions = datasetMeta('news_ner')?.versions ?? [];
	const latest = versions.at(-1);
	assert.ok(latest);
	assert.deepEqual(fs.readdirSync(path.join(filesDir, 'prodigy-exports')), [`news_ner-${latest.id.slice(0, 12)}.jsonl`]);
	const audit = await withPg(auditDb, async (c) => (await c.query('SELECT dataset, exported_version, examples FROM prodigy_audit')).rows);
	assert.deepEqual(audit, [{ dataset: 'news_ner', exported_version: latest.id, examples: 80 }]);
	// 4: the candidates below 0.7 per team.
	assert.deepEqual(tasksOf('al_queue_billing').map((t) => t.meta.candidate_id).sort(), ['C-01', 'C-02', 'C-06', 'C-08', 'C-10']);
	assert.deepEqual(tasksOf('al_queue_tech').map((t) => t.meta.candidate_id).sort(), ['C-03', 'C-05', 'C-09']);
	// 5: a pending approval request for the version, nothing decided.
	const meta = datasetMeta('news_ner');
	assert.ok(meta);
	assert.equal(meta.approvalRequests.length, 1);
	assert.ok(!meta.approvals.some((a) => a.mode === 'human'));
	// 6: one consolidated dataset from the three sources; 8: the two tickets of the test call, scored.
	assert.equal(tasksOf('customer_feedback').length, 8);
	assert.deepEqual(tasksOf('support_tickets_inbox').map((t) => [t.meta.ticket, t.label]), [['T-2001', 'ACCOUNT'], ['T-2002', 'BILLING']]);
});

test('a second npm start keeps a template the user edited and leaves untouched ones as they are', { timeout: 1_200_000 }, async () => {
	// The user edits template 6 in n8n (as the editor's Save does: a new versionId).
	const n8n = await harness.startN8n({ userFolder, port: await harness.freePort(), pack: false });
	/** @type {{ id: string, versionId?: string } | undefined} */
	let edited;
	try {
		const [stored] = (await harness.listWorkflows(n8n)).filter((w) => w.name?.startsWith('06 '));
		assert.ok(stored?.id);
		const workflow = await harness.getWorkflow(n8n, stored.id);
		const config = workflow?.nodes?.find((n) => n.name === 'Config');
		assert.ok(workflow && config);
		config.notes = 'my own note';
		edited = await harness.importWorkflow(n8n, workflow, { id: stored.id });
	} finally {
		await n8n.stop();
	}
	// Same port as the first start, so the demo services (and the settings pointing at them) are the same.
	const again = await startCheck(['--check', '--no-build', '--user-folder', userFolder, '--port', String(port), '--audit-db', auditDb]);
	const context = `exit ${again.code}\n${again.stdout.slice(-6000)}\n${again.stderr.slice(-3000)}`;
	assert.equal(again.code, 0, context);
	assert.match(again.stdout, /\n {2}kept 06-multi-source-consolidation\.json: "06 [^"]*" as you left it \(edited since npm start imported it\)\n/, context);
	for (const template of TEMPLATES.filter((t) => !t.startsWith('06-'))) {
		assert.match(again.stdout, new RegExp(`\\n {2}unchanged ${template}\\.json: `), `${template}\n${context}`);
	}
	// The edit is still there: the check ran the user's workflow, and n8n still has it.
	const check = await harness.startN8n({ userFolder, port: await harness.freePort(), pack: false });
	try {
		assert.ok(edited);
		const kept = await harness.getWorkflow(check, edited.id);
		assert.equal(kept?.versionId, edited.versionId);
		assert.equal(kept?.nodes?.find((n) => n.name === 'Config')?.notes, 'my own note');
	} finally {
		await check.stop();
	}
});
