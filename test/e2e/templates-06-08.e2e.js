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

const queue = harness.queueModeRequested();
let n8n;
let userFolder;
let dataDir;
let recorder;
/** Per template: the Prodigy store config and the credential map that points "Prodigy Demo DB" at it. */
const prodigy = {};

/** Answers of the stand-in external systems, by path. */
const responders = new Map();

before(async () => {
	userFolder = harness.tempUserFolder('n8n-prodigy-t06-08-');
	dataDir = fs.mkdtempSync(path.join(userFolder, 'prodigy-'));
	recorder = await t.startRecorder((request) => responders.get(request.path)?.(request));
	n8n = await harness.startN8n({ userFolder, queue, pack: { tarball: await harness.sharedTarball() } });
	for (const key of ['t06', 't07', 't08']) {
		const store = t.sqliteStore(path.join(dataDir, `${key}.db`));
		const name = `Prodigy ${key}`;
		const imported = await harness.importCredentials(n8n, [t.prodigyCredential(name, store)]);
		prodigy[key] = { store, credentials: new Map([[t.PRODIGY_CREDENTIAL, imported.get(name)]]) };
	}
}, { timeout: 900_000 });

after(async () => {
	if (n8n) await n8n.stop();
	if (recorder) await recorder.close();
	for (const cleanup of cleanups.reverse()) await cleanup();
	if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
});
const cleanups = [];

function ran(summary, node) {
	return Object.hasOwn(summary.nodes, node);
}

// ---- Template 6: multi-source consolidation --------------------------------------------------------------------

test('template 6: a JSONL file, a CSV file and a CRM endpoint become one deduplicated dataset with the same meta', { timeout: 300_000 }, async () => {
	const folder = path.join(n8n.filesDir, 'feedback');
	fs.mkdirSync(folder, { recursive: true });
	const webFormFile = path.join(folder, 'web-form-submissions.jsonl');
	const emailTicketsFile = path.join(folder, 'email-tickets.csv');
	fs.copyFileSync(t.fixture('06-web-form-submissions.jsonl'), webFormFile);
	fs.copyFileSync(t.fixture('06-email-tickets.csv'), emailTicketsFile);
	const crmCases = JSON.parse(fs.readFileSync(t.fixture('06-crm-cases.json'), 'utf8'));
	responders.set('/crm/cases', () => ({ json: crmCases }));

	const workflow = t.withConfig(t.loadTemplate('06'), { webFormFile, emailTicketsFile, crmUrl: recorder.url('/crm/cases?status=closed') });
	const { store, credentials } = prodigy.t06;
	const first = await harness.runWorkflow(n8n, workflow, { credentials });
	assert.equal(first.status, 'success', JSON.stringify(first.error));
	assert.equal(recorder.to('/crm/cases').length, 1);
	assert.equal(recorder.to('/crm/cases')[0].query.status, 'closed');

	// The second line of the web form export repeats the first one's text: skipped by input hash, within the run.
	assert.deepEqual(harness.outputOf(first, 'Add web form feedback').map((o) => o.duplicate), [false, false, false, true]);
	const lib = t.library();
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
		consolidated.map((e) => e.task.meta.record_id),
		['W-1001', 'W-1002', 'W-1003', 'E-501', 'E-502', 'E-503', 'CASE-9001', 'CASE-9003'],
	);
	assert.deepEqual(harness.outputOf(first, 'Consolidate into one dataset'), [
		{ target: 'customer_feedback', sources: ['feedback_web', 'feedback_email', 'feedback_crm'], linked: 8, skipped: 1, datasetCreated: true },
	]);
	assert.equal(harness.outputOf(first, 'Consolidated dataset stats')[0].total, 8);
	assert.deepEqual(harness.outputOf(first, 'Summarise the run'), [
		{ dataset: 'customer_feedback', examples: 8, newFromWebForm: 3, newFromEmail: 3, newFromCrm: 3, alreadyKnown: 1, linkedIntoConsolidated: 8, sameInputInAnotherSource: 1 },
	]);

	// The nightly rerun on the same exports adds nothing anywhere.
	const second = await harness.runStoredWorkflow(n8n, first.workflow.id);
	assert.equal(second.status, 'success', JSON.stringify(second.error));
	assert.deepEqual(harness.outputOf(second, 'Summarise the run'), [
		{ dataset: 'customer_feedback', examples: 8, newFromWebForm: 0, newFromEmail: 0, newFromCrm: 0, alreadyKnown: 10, linkedIntoConsolidated: 0, sameInputInAnotherSource: 9 },
	]);
	for (const [dataset, count] of [['feedback_web', 3], ['feedback_email', 3], ['feedback_crm', 3], ['customer_feedback', 8]]) {
		assert.equal((await t.examplesOf(store, dataset)).length, count, dataset);
	}
});
