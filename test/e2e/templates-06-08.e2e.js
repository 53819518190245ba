// Templates 6, 7 and 8 on one real n8n (one start for three templates), each against its own Prodigy SQLite
// database: multi-source consolidation with normalised meta (6), dataset versioning with an audit trail in
// PostgreSQL and byte-identical exports of a version (7), and monitoring with alerts: stalled annotation and
// milestones from the Prodigy Trigger, malformed input, failed jobs with retries and an Error Trigger (8).
// Template 8 is published first: its trigger polls once a minute at best, so that wait overlaps the other tests.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const harness = require('../../scripts/n8n');
const t = require('./templates-05-08-support');

/** @typedef {import('../../scripts/demo-services').RecordedRequest} RecordedRequest */
/**
 * An alert template 8 posts, with the fields these tests read.
 * @typedef {{ channel: string, severity: string, title: string, text: string, dataset?: string,
 *   details: Record<string, unknown> & { url: string, error: string, mode: string } }} Alert
 */

const queue = harness.queueModeRequested();
/** @type {Awaited<ReturnType<typeof harness.startN8n>>} set by before() */
let n8n;
/** @type {string} */
let userFolder;
/** @type {string} */
let dataDir;
/** @type {import('../../scripts/demo-services').Recorder} */
let recorder;
/** @type {string} Where the n8n process that executes workflows may read and write files (in queue mode the worker's own folder). */
let filesDir;
/** Per template: the Prodigy store config and the credential map that points "Prodigy Demo DB" at it. */
const prodigy = /** @type {Record<'t06' | 't07' | 't08', { store: ReturnType<typeof t.sqliteStore>, credentials: Map<string, { id: string, name: string }> }>} filled by before() */ ({});

/** @type {Map<string, import('../../scripts/demo-services').Respond>} Answers of the stand-in external systems, by path. */
const responders = new Map();

before(async () => {
	userFolder = harness.tempUserFolder('n8n-prodigy-t06-08-');
	dataDir = fs.mkdtempSync(path.join(userFolder, 'prodigy-'));
	recorder = await t.startRecorder((request) => responders.get(request.path)?.(request));
	n8n = await harness.startN8n({ userFolder, queue, pack: { tarball: await harness.sharedTarball() } });
	// A queue worker is another machine: its file nodes may touch only its own files folder.
	filesDir = queue ? path.join(userFolder, 'worker', 'files') : n8n.filesDir;
	for (const key of /** @type {const} */ (['t06', 't07', 't08'])) {
		// One folder per database: template 8's test takes its folder away to simulate the database going down.
		const store = t.sqliteStore(path.join(dataDir, key, 'prodigy.db'));
		fs.mkdirSync(path.dirname(store.path), { recursive: true });
		const name = `Prodigy ${key}`;
		const imported = await harness.importCredentials(n8n, [t.prodigyCredential(name, store)]);
		const credential = imported.get(name);
		assert.ok(credential);
		prodigy[key] = { store, credentials: new Map([[t.PRODIGY_CREDENTIAL, credential]]) };
	}
}, { timeout: 900_000 });

after(async () => {
	if (n8n) await n8n.stop();
	if (recorder) await recorder.close();
	for (const cleanup of cleanups.reverse()) await cleanup();
	if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
});
/** @type {(() => Promise<unknown>)[]} */
const cleanups = [];

/**
 * @param {import('../../scripts/n8n/run').Summary} summary
 * @param {string} node
 */
function ran(summary, node) {
	return Object.hasOwn(summary.nodes, node);
}

// ---- Template 8, part 1: published first, so the trigger's polls run while the other tests do ------------------

/** @type {{ workflowId: string | null }} */
const t08 = { workflowId: null };
/** @type {Map<string, number[]>} Planned HTTP statuses per text the model service is asked about (then 200). */
const modelPlan = new Map();
/** @type {string[]} */
const modelCalls = [];

/**
 * @param {RecordedRequest} request
 * @returns {import('../../scripts/demo-services').Answer}
 */
function modelAnswer(request) {
	const text = String(request.json?.text ?? '');
	modelCalls.push(text);
	const status = modelPlan.get(text)?.shift() ?? 200;
	if (status !== 200) return { status, json: { error: 'model service unavailable' } };
	return { json: { label: /charged|refund|invoice/i.test(text) ? 'BILLING' : 'OTHER', score: 0.87 } };
}

test('template 8: published, both Prodigy Triggers polling every minute', { timeout: 300_000 }, async () => {
	const { createDemoDatabase } = require('../../scripts/demo-data');
	const { store, credentials } = prodigy.t08;
	await createDemoDatabase(store.path);
	responders.set('/alerts', () => ({ json: { ok: true } }));
	responders.set('/model/predict', modelAnswer);
	let workflow = t.loadTemplate('08');
	workflow = t.withConfig(workflow, { alertUrl: recorder.url('/alerts') }, 'Alert Settings');
	workflow = t.withConfig(workflow, { modelUrl: recorder.url('/model/predict') }, 'Ingest Settings');
	// Beyond the two settings nodes, the test changes only time: both triggers poll every minute (n8n refuses
	// anything faster for polling nodes) and a stall counts after 3 seconds instead of 30 minutes.
	for (const name of ['Annotation Stalled', 'Milestone Reached']) t.nodeOf(workflow, name).parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
	t.nodeOf(workflow, 'Annotation Stalled').parameters.idleMinutes = 0.05;
	const stored = await harness.importWorkflow(n8n, workflow, { credentials, publish: true });
	assert.equal(stored.active, true);
	t08.workflowId = stored.id;
});

// ---- Template 6: multi-source consolidation --------------------------------------------------------------------

test('template 6: a JSONL file, a CSV file and a CRM endpoint become one deduplicated dataset with the same meta', { timeout: 300_000 }, async () => {
	const folder = path.join(filesDir, 'feedback');
	fs.mkdirSync(folder, { recursive: true });
	const webFormFile = path.join(folder, 'web-form-submissions.jsonl');
	const emailTicketsFile = path.join(folder, 'email-tickets.csv');
	fs.copyFileSync(t.fixture('06-web-form-submissions.jsonl'), webFormFile);
	fs.copyFileSync(t.fixture('06-email-tickets.csv'), emailTicketsFile);
	/** @type {{ caseId: string, description: string, account: { name: string, country: string } }[]} */
	const crmCases = JSON.parse(fs.readFileSync(t.fixture('06-crm-cases.json'), 'utf8'));
	responders.set('/crm/cases', () => ({ json: crmCases }));

	const workflow = t.withConfig(t.loadTemplate('06'), { webFormFile, emailTicketsFile, crmUrl: recorder.url('/crm/cases?status=closed') });
	const { store, credentials } = prodigy.t06;
	const first = await harness.runWorkflow(n8n, workflow, { credentials });
	assert.equal(first.status, 'success', JSON.stringify(first.error));
	assert.equal(recorder.to('/crm/cases').length, 1);
	assert.equal(recorder.to('/crm/cases')[0].query.status, 'closed');

	// The second line of the web form export repeats the first one's text: skipped by input hash, within the run.
	assert.deepEqual(harness.outputOf(first, 'Add Web Form Feedback').map((o) => o.duplicate), [false, false, false, true]);
	const lib = t.library();
	/**
	 * @param {string} dataset
	 * @param {string} source
	 * @param {{ text: string, meta: Record<string, unknown> }[]} records
	 */
	const expectSource = async (dataset, source, records) => {
		const stored = await t.examplesOf(store, dataset);
		assert.deepEqual(
			stored.map((e) => e.task),
			// Hashes as Prodigy computes them for the task as it arrived (its own meta included: a task without
			// label / spans is hashed whole); the node's meta fields are added after hashing.
			records.map((task) => ({ ...lib.setHashes(task), meta: { ...task.meta, source, region: 'EMEA', pipeline: 'customer-feedback' } })),
			`${dataset} holds the normalised tasks`,
		);
	};
	const web = fs.readFileSync(t.fixture('06-web-form-submissions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
	await expectSource('feedback_web', 'web-form', web.slice(0, 3).map((w) => ({ text: w.message, meta: { record_id: w.submission_id, page: w.page, country: w.country } })));
	await expectSource('feedback_email', 'email', [
		{ text: 'My parcel was due Monday, it is now Thursday and the tracking has not moved.', meta: { record_id: 'E-501', subject: 'Delivery late', country: 'NL' } },
		{ text: 'Please refund order 77310; the jacket arrived torn.', meta: { record_id: 'E-502', subject: 'Refund', country: 'BE' } },
		{ text: 'The reset link in your email expires before I can click it.', meta: { record_id: 'E-503', subject: 'Password reset, again', country: 'IE' } },
	]);
	await expectSource('feedback_crm', 'crm', crmCases.map((c) => ({ text: c.description, meta: { record_id: c.caseId, account: c.account.name, country: c.account.country } })));

	// CASE-9002 has the same text as web form W-1003: the consolidated dataset keeps it once (the web form's).
	const consolidated = await t.examplesOf(store, 'customer_feedback');
	assert.equal(consolidated.length, 8);
	assert.deepEqual(
		consolidated.map((e) => /** @type {{ record_id: string }} */ (e.task.meta).record_id),
		['W-1001', 'W-1002', 'W-1003', 'E-501', 'E-502', 'E-503', 'CASE-9001', 'CASE-9003'],
	);
	assert.deepEqual(harness.outputOf(first, 'Consolidate into One Dataset'), [
		{ target: 'customer_feedback', sources: ['feedback_web', 'feedback_email', 'feedback_crm'], linked: 8, skipped: 1, datasetCreated: true },
	]);
	assert.equal(harness.outputOf(first, 'Consolidated Dataset Stats')[0].total, 8);
	assert.deepEqual(harness.outputOf(first, 'Summarise the Run'), [
		{ dataset: 'customer_feedback', examples: 8, newFromWebForm: 3, newFromEmail: 3, newFromCrm: 3, alreadyKnown: 1, linkedIntoConsolidated: 8, sameInputInAnotherSource: 1 },
	]);

	// The nightly rerun on the same exports adds nothing anywhere.
	const second = await harness.runStoredWorkflow(n8n, /** @type {string} imported */ (first.workflow.id));
	assert.equal(second.status, 'success', JSON.stringify(second.error));
	assert.deepEqual(harness.outputOf(second, 'Summarise the Run'), [
		{ dataset: 'customer_feedback', examples: 8, newFromWebForm: 0, newFromEmail: 0, newFromCrm: 0, alreadyKnown: 10, linkedIntoConsolidated: 0, sameInputInAnotherSource: 9 },
	]);
	for (const [dataset, count] of /** @type {[string, number][]} */ ([['feedback_web', 3], ['feedback_email', 3], ['feedback_crm', 3], ['customer_feedback', 8]])) {
		assert.equal((await t.examplesOf(store, dataset)).length, count, dataset);
	}
});

// ---- Template 7: dataset versioning and audit trail ------------------------------------------------------------

test('template 7: versions recorded and stamped, audit rows in PostgreSQL, an old version re-exported byte for byte', { timeout: 300_000 }, async () => {
	const { createDemoDatabase } = require('../../scripts/demo-data');
	const { store, credentials } = prodigy.t07;
	await createDemoDatabase(store.path);
	const auditDatabase = await t.createPgDatabase('audit_t07');
	cleanups.push(() => t.dropPgDatabase(auditDatabase));
	const auditCredential = {
		name: 'Audit DB (PostgreSQL)',
		type: 'postgres',
		data: { host: t.PG.host, port: t.PG.port, database: auditDatabase, user: t.PG.user, password: t.PG.password, ssl: 'disable' },
	};
	const audit = await harness.importCredentials(n8n, [auditCredential]);
	const allCredentials = new Map([...credentials, ...audit]);
	const exportFolder = path.join(filesDir, 'prodigy-exports');
	fs.mkdirSync(exportFolder, { recursive: true });
	const template = t.loadTemplate('07');
	const auditRows = () => t.withPg(auditDatabase, async (c) => (await c.query('SELECT * FROM prodigy_audit ORDER BY id')).rows);
	const lib = t.library();
	const versionNow = () => t.withStore(store, async (s) => (await lib.computeVersion(s, 'news_ner')).id);
	const sha256 = (/** @type {Buffer | string} */ bytes) => require('node:crypto').createHash('sha256').update(bytes).digest('hex');

	// Run 1: the dataset as the demo has it.
	const v1 = await versionNow();
	const first = await harness.runWorkflow(n8n, t.withConfig(template, { exportFolder }), { credentials: allCredentials });
	assert.equal(first.status, 'success', JSON.stringify(first.error));
	const [recorded] = harness.outputOf(first, 'Record Dataset Version');
	assert.equal(recorded.id, v1);
	assert.equal(recorded.recorded, true);
	const [stamped] = /** @type {{ provenance: Record<string, unknown> }[]} */ (harness.outputOf(first, 'Stamp Provenance'));
	assert.equal(stamped.provenance.versionId, v1);
	assert.equal(stamped.provenance.sourceSystem, 'prodigy');
	assert.equal(stamped.provenance.sourceRecordId, 'news_ner');
	assert.equal(stamped.provenance.modelVersion, 'ner-news-2025-03');
	const file1 = path.join(exportFolder, `news_ner-${v1.slice(0, 12)}.jsonl`);
	const bytes1 = fs.readFileSync(file1);
	assert.deepEqual(bytes1.toString('utf8').split('\n').filter(Boolean), await t.dbOut(store, 'news_ner'));
	let rows = await auditRows();
	assert.equal(rows.length, 1);
	assert.deepEqual(
		{ ...rows[0], id: undefined, recorded_at: undefined, n8n_execution_id: undefined },
		{
			id: undefined,
			recorded_at: undefined,
			n8n_execution_id: undefined,
			dataset: 'news_ner',
			exported_version: v1,
			current_version: v1,
			examples: 80,
			model_version: 'ner-news-2025-03',
			source: 'weekly annotation review',
			note: 'Baseline before retraining',
			export_file: file1,
			export_sha256: sha256(bytes1),
			provenance: stamped.provenance,
		},
	);
	assert.equal(rows[0].n8n_execution_id, String(first.executionId));
	assert.equal(harness.outputOf(first, 'Write Audit Record')[0].first_export_sha256, null);
	assert.ok(ran(first, 'Audit Trail Complete'));

	// Annotators go on: five more answers by alice.
	await t.withStore(store, (s) =>
		s.addExamples('news_ner', [1, 2, 3, 4, 5].map((n) => ({ text: `Late sentence ${n} about Nvidia in Seoul.`, answer: 'accept', spans: [] })), { session: 'alice' }),
	);
	const v2 = await versionNow();
	assert.notEqual(v2, v1);

	// Run 2 records and exports the new version.
	const second = await harness.runStoredWorkflow(n8n, /** @type {string} imported */ (first.workflow.id));
	assert.equal(second.status, 'success', JSON.stringify(second.error));
	rows = await auditRows();
	assert.deepEqual(rows.map((r) => [r.exported_version, r.current_version, r.examples]), [[v1, v1, 80], [v2, v2, 85]]);

	// Run 3 reproduces version 1 from its short ID: same bytes as the first export although the dataset grew. Its
	// Config names a newer model, while the current version's record (kept from run 2) names the older one: the
	// audit row and its provenance both say what this run's Config says.
	const reproduce = t.withConfig(template, { exportFolder, exportVersion: v1.slice(0, 12), modelVersion: 'ner-news-2025-04' });
	reproduce.name = `${template.name} (reproduce ${v1.slice(0, 12)})`;
	fs.rmSync(file1);
	const third = await harness.runWorkflow(n8n, reproduce, { credentials: allCredentials });
	assert.equal(third.status, 'success', JSON.stringify(third.error));
	assert.ok(fs.readFileSync(file1).equals(bytes1), 'the re-export of version 1 is byte-identical to the first');
	rows = await auditRows();
	assert.deepEqual(rows.map((r) => [r.exported_version, r.current_version, r.examples]), [[v1, v1, 80], [v2, v2, 85], [v1, v2, 80]]);
	assert.deepEqual([rows[2].model_version, rows[2].provenance.modelVersion], ['ner-news-2025-04', 'ner-news-2025-04']);
	assert.equal(rows[2].export_sha256, rows[0].export_sha256);
	assert.equal(harness.outputOf(third, 'Write Audit Record')[0].first_export_sha256, rows[0].export_sha256);
	assert.ok(ran(third, 'Audit Trail Complete'));
	assert.equal(ran(third, 'Stop: Export Differs'), false);

	// The check can fail: with the first export's fingerprint altered in the table, the same export no longer matches.
	await t.withPg(auditDatabase, (c) => c.query("UPDATE prodigy_audit SET export_sha256 = repeat('0', 64) WHERE id = $1", [rows[0].id]));
	const tampered = await harness.runStoredWorkflow(n8n, /** @type {string} imported */ (third.workflow.id));
	assert.equal(tampered.status, 'error');
	assert.equal(tampered.error?.node, 'Stop: Export Differs');
	assert.match(tampered.error?.message ?? '', new RegExp(`^The export of version ${v1} differs from its first export`));

	const { versions } = /** @type {{ versions: { id: string, count: number, modelVersion: string, source: string, note: string }[] }} */ (
		await t.datasetMeta(store, 'news_ner')
	);
	assert.deepEqual(versions.map((v) => [v.id, v.count, v.modelVersion, v.source, v.note]), [
		[v1, 80, 'ner-news-2025-03', 'weekly annotation review', 'Baseline before retraining'],
		[v2, 85, 'ner-news-2025-03', 'weekly annotation review', 'Baseline before retraining'],
	]);
});

// ---- Template 8, part 2: malformed input, retries, failed jobs, and the trigger's alerts -------------------------

async function latestExecutionId() {
	const [latest] = await harness.listExecutions(n8n, { limit: 1 });
	return latest ? Number(latest.id) : 0;
}

/**
 * The first finished execution of template 8 started by `mode` (webhook, error, trigger) after `afterId`.
 * @param {string} mode
 * @param {number} afterId
 */
async function runOf(mode, afterId) {
	const deadline = Date.now() + 120_000;
	while (Date.now() < deadline) {
		const found = (await harness.listExecutions(n8n, { workflowId: t08.workflowId, limit: 50 }))
			.filter((e) => e.mode === mode && Number(e.id) > afterId && ['success', 'error', 'crashed'].includes(e.status))
			.sort((a, b) => Number(a.id) - Number(b.id))[0];
		if (found) return harness.summarise(await harness.getExecution(n8n, found.id));
		await new Promise((resolve) => setTimeout(resolve, 400));
	}
	throw new Error(`no finished ${mode} execution of template 8 after ${afterId}`);
}

/** @param {Record<string, string>[]} tickets */
function pushTickets(tickets) {
	return fetch(`${n8n.baseUrl}/webhook/prodigy-ticket-intake`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ tickets }),
	});
}

/** @param {string} title */
const alertTitled = (title) => (/** @type {RecordedRequest} */ r) => r.path === '/alerts' && r.json?.title === title;

/**
 * The body of the first alert matching `predicate` (already there or still to come).
 * @param {(request: RecordedRequest) => boolean} predicate
 * @param {{ timeoutMs?: number, what?: string }} options
 * @returns {Promise<Alert>}
 */
async function alertWhere(predicate, options) {
	return /** @type {Alert} */ ((await recorder.waitFor(predicate, options)).json);
}

test('template 8: a malformed ticket is alerted with its item and error, the others are added; a model hiccup is retried', { timeout: 300_000 }, async () => {
	const afterId = await latestExecutionId();
	const charged = 'I was charged twice for order 88412.';
	modelPlan.set(charged, [503]);
	const response = await pushTickets([
		{ id: 'T-2001', body: 'The app logs me out every few minutes.', customer: 'Nordlicht GmbH' },
		{ id: 'T-2002', body: charged, customer: 'Casa Verde SL' },
		{ id: 'T-2003', customer: 'Polder BV' },
	]);
	assert.equal(response.status, 200);
	const run = await runOf('webhook', afterId);
	assert.equal(run.status, 'success', JSON.stringify(run.error));
	assert.equal(modelCalls.filter((text) => text === charged).length, 2, 'the 503 was retried once');

	const alert = await alertWhere(alertTitled('Malformed Input'), { what: 'the malformed-input alert' });
	const [errorItem] = harness.outputOf(run, 'Add to Annotation Queue', { output: 1 });
	assert.match(String(errorItem.error), /no "text"/);
	assert.deepEqual(alert, {
		channel: '#annotation-ops',
		severity: 'error',
		title: 'Malformed Input',
		text: `Ticket T-2003 (item 3 of the batch) was not added to "support_tickets_inbox": ${errorItem.error}`,
		dataset: 'support_tickets_inbox',
		details: { ticket: 'T-2003', itemIndex: 2, error: errorItem.error },
	});
	const stored = await t.examplesOf(prodigy.t08.store, 'support_tickets_inbox');
	assert.deepEqual(
		stored.map(({ task }) => [task.text, task.label, task.meta]),
		[
			['The app logs me out every few minutes.', 'OTHER', { ticket: 'T-2001', customer: 'Nordlicht GmbH', score: 0.87, source: 'help-desk' }],
			[charged, 'BILLING', { ticket: 'T-2002', customer: 'Casa Verde SL', score: 0.87, source: 'help-desk' }],
		],
	);
});

test('template 8: a job that still fails after its retries runs the Error Trigger, which alerts', { timeout: 300_000 }, async () => {
	const afterId = await latestExecutionId();
	const text = 'Please cancel my subscription before the next invoice.';
	modelPlan.set(text, [503, 503, 503, 503]);
	assert.equal((await pushTickets([{ id: 'T-3001', body: text, customer: 'Polder BV' }])).status, 200);
	const failed = await runOf('webhook', afterId);
	assert.equal(failed.status, 'error');
	assert.equal(failed.error?.node, 'Score with the Model Service');
	assert.equal(modelCalls.filter((t2) => t2 === text).length, 3, 'three tries, then the run failed');

	const alert = await alertWhere(alertTitled('Workflow Run Failed'), { what: 'the failed-job alert' });
	assert.equal(alert.severity, 'critical');
	assert.deepEqual(
		{ ...alert.details, error: undefined, url: undefined },
		{ executionId: String(failed.executionId), node: 'Score with the Model Service', mode: 'webhook', error: undefined, url: undefined },
	);
	assert.equal(alert.details.error, failed.error?.message);
	assert.ok(alert.details.url.endsWith(`/workflow/${t08.workflowId}/executions/${failed.executionId}`), alert.details.url);
	assert.equal(
		alert.text,
		`Run ${failed.executionId} of "${t.loadTemplate('08').name}" failed in "Score with the Model Service": ${failed.error?.message} (${alert.details.url})`,
	);
	const errorRun = await runOf('error', afterId);
	assert.equal(errorRun.status, 'success', JSON.stringify(errorRun.error));
	assert.ok(!(await t.examplesOf(prodigy.t08.store, 'support_tickets_inbox')).some(({ task }) => /** @type {{ ticket?: string }} */ (task.meta).ticket === 'T-3001'));
});

test('template 8: the Prodigy Trigger alerts: a stalled queue, the 100 milestone, then the database going away', { timeout: 400_000 }, async () => {
	const { store } = prodigy.t08;
	// Polls run at the start of each minute. Nobody annotates news_ner (80 of the 1000 wanted) after the
	// workflow was published, so the first scheduled poll reports the stall.
	const stall = await alertWhere(alertTitled('Annotation Stalled'), { timeoutMs: 150_000, what: 'the stall alert' });
	assert.equal(stall.severity, 'warning');
	assert.equal(stall.dataset, 'news_ner');
	assert.deepEqual(
		{ ...stall.details, idleMinutes: undefined, idleFor: undefined, lastActivityAt: undefined },
		{ dataset: 'news_ner', count: 80, target: 1000, idleMinutes: undefined, idleFor: undefined, lastActivityAt: undefined },
	);
	assert.match(stall.text, /^No new annotation in "news_ner" for (less than a minute|\d+ minutes?): 80 of 1,000 done, last one on \d{1,2} \w{3} \d{4}, \d\d:\d\d\.$/);

	// Bob annotates 20 more: the next poll sees the count reach 100.
	const tasks = Array.from({ length: 20 }, (_, i) => ({ text: `Follow-up sentence ${i + 1} about Airbus in Toulouse.`, spans: [], answer: 'accept', _annotator_id: 'news_ner-bob', _session_id: 'news_ner-bob' }));
	await t.withStore(store, (s) => s.addExamples('news_ner', tasks, { session: 'bob' }));
	const milestone = await alertWhere(alertTitled('Milestone Reached'), { timeoutMs: 150_000, what: 'the milestone alert' });
	assert.equal(milestone.severity, 'info');
	assert.equal(milestone.text, '"news_ner" reached 100 annotations (100 now).');
	assert.deepEqual({ ...milestone.details, linkId: undefined }, { dataset: 'news_ner', milestone: 100, type: 'every', count: 100, linkId: undefined, session: 'news_ner-bob' });
	assert.equal(recorder.requests.filter(alertTitled('Annotation Stalled')).length, 1, 'one alert per stall');

	// The Prodigy database disappears (volume unmounted): the next polls fail and the Error Trigger alerts.
	const failuresBefore = recorder.requests.filter(alertTitled('Workflow Run Failed')).length;
	fs.renameSync(path.dirname(store.path), `${path.dirname(store.path)}-gone`);
	const down = await alertWhere(
		(r) => alertTitled('Workflow Run Failed')(r) && recorder.requests.filter(alertTitled('Workflow Run Failed')).indexOf(r) >= failuresBefore,
		{ timeoutMs: 150_000, what: 'the trigger failure alert' },
	);
	assert.equal(down.details.mode, 'trigger');
	assert.match(down.text, new RegExp(`^A trigger of "${t.loadTemplate('08').name}" failed: No Prodigy database at ${store.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the file does not exist`));
});
