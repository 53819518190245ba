// Template 5 (approval governance before training) on a real n8n: the version is recorded, the quality rules pass,
// the run waits for a person, the approver's link is opened (nothing decided) and the form is posted; the run then
// resumes on the Approved branch and exports exactly the approved version to the training hand-off. Rejections by
// the rules and by the approver reach the team's alert webhook. On a Prodigy SQLite database and on PostgreSQL; with
// `--queue` the waiting run resumes on the queue worker, with nothing kept in memory across the wait. Published (its
// Manual Trigger swapped for a Webhook trigger), the approver's link is the gate's own page, which still says who
// decided what and when after the run has finished.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const harness = require('../../scripts/n8n');
const t = require('./templates-05-08-support');

const queue = harness.queueModeRequested();
const template = t.loadTemplate('05');
const RULES_NODE = 'Quality Rules';
const HUMAN_NODE = 'Ask the Data Owner';
const EXPORT_NODE = 'Export Approved Version';
const ALERT_NODE = 'Tell the Annotation Team';

/** @typedef {'sqlite' | 'postgres'} Backend */
/**
 * The approval trail in a dataset's meta, as far as these tests read it.
 * @typedef {{ mode: string, decision: string, approver?: string, comment?: string, versionId: string, requestId?: string, reasons?: string[], time: string }} Approval
 * @typedef {{ approvalRequests: { id: string, executionId: string }[], approvals: Approval[], versions: { id: string, modelVersion?: string }[] }} ApprovalMeta
 * @typedef {{ approvalUrl: string, text: string, dataset: string, versionId: string, rulesDecision: string, checks: { check: string, passed: boolean }[] }} ApprovalNotification
 * @typedef {{ decidedBy: string, dataset: string, text: string, reasons: string[] }} Alert
 */

/** @type {Awaited<ReturnType<typeof harness.startN8n>>} set by before() */
let n8n;
/** @type {string} */
let userFolder;
/** @type {import('../../scripts/demo-services').Recorder} */
let recorder;
/** @type {string} */
let pgDatabase;
/** @type {string} */
let dataDir;
const stores = /** @type {{ sqlite: ReturnType<typeof t.sqliteStore>, postgres: import('../../lib/index').StoreConfig }} filled by before() */ ({});
const credentialMaps = /** @type {Record<Backend, Map<string, { id: string, name: string }>>} filled by before() */ ({});

/**
 * @param {string} name
 * @returns {never}
 */
function fail(name) {
	throw new Error(`importCredentials returned no credential "${name}"`);
}

before(async () => {
	userFolder = harness.tempUserFolder('n8n-prodigy-t05-');
	dataDir = fs.mkdtempSync(path.join(userFolder, 'prodigy-'));
	recorder = await t.startRecorder();
	stores.sqlite = t.sqliteStore(path.join(dataDir, 'prodigy.db'));
	// The database `npm start` gives users, plus a small dataset one annotator has only started.
	const { createDemoDatabase } = require('../../scripts/demo-data');
	await createDemoDatabase(stores.sqlite.path);
	await t.withStore(stores.sqlite, async (s) => {
		await s.addExamples('news_ner_draft', [
			{ text: 'Siemens opened an office in Lisbon.', answer: 'accept', _annotator_id: 'news_ner_draft-alice' },
			{ text: 'Rain delayed trains in Madrid.', answer: 'reject', _annotator_id: 'news_ner_draft-alice' },
		], { session: 'alice' });
	});
	pgDatabase = await t.createPgDatabase('prodigy_t05');
	stores.postgres = t.postgresStore(pgDatabase);
	await t.seedDemo(stores.postgres);

	n8n = await harness.startN8n({ userFolder, queue, pack: { tarball: await harness.sharedTarball() } });
	const imported = await harness.importCredentials(n8n, [
		t.prodigyCredential(t.PRODIGY_CREDENTIAL, stores.sqlite),
		t.prodigyCredential('Prodigy PostgreSQL', stores.postgres),
	]);
	credentialMaps.sqlite = new Map([[t.PRODIGY_CREDENTIAL, imported.get(t.PRODIGY_CREDENTIAL) ?? fail(t.PRODIGY_CREDENTIAL)]]);
	// The template names "Prodigy Demo DB"; here that name is mapped to the PostgreSQL credential.
	credentialMaps.postgres = new Map([[t.PRODIGY_CREDENTIAL, imported.get('Prodigy PostgreSQL') ?? fail('Prodigy PostgreSQL')]]);
}, { timeout: 900_000 });

after(async () => {
	if (n8n) await n8n.stop();
	if (recorder) await recorder.close();
	await t.dropPgDatabase(pgDatabase);
	if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
});

/**
 * Imports the template with Config pointing at this test's endpoints and starts a run (it may stop waiting).
 * @param {string} scenario
 * @param {Backend} backend
 * @param {string} dataset
 */
async function startTemplate(scenario, backend, dataset) {
	const workflow = t.withConfig(template, {
		dataset,
		approvalNotifyUrl: recorder.url(`/approval-requests/${scenario}`),
		trainingUrl: recorder.url(`/training/${scenario}`),
		alertUrl: recorder.url(`/alerts/${scenario}`),
	});
	workflow.name = `${template.name} (${scenario})`;
	const stored = await harness.importWorkflow(n8n, workflow, { credentials: credentialMaps[backend] });
	const executionId = await harness.startManualRun(n8n, stored.id, 'Start Approval Review');
	return { workflowId: stored.id, executionId };
}

/** @param {string} executionId */
async function finished(executionId) {
	const execution = await harness.waitForExecution(n8n, { executionId, timeoutMs: 120_000 });
	return harness.summarise(execution);
}

/**
 * Waits for the run to reach the approval wait and returns the link the approver was sent.
 * @param {string} scenario
 * @param {string} executionId
 */
async function approvalLinkOf(scenario, executionId) {
	const request = await recorder.waitFor((r) => r.path === `/approval-requests/${scenario}`, { what: 'the approval link' });
	const notification = { json: /** @type {ApprovalNotification} */ (request.json) };
	const waiting = await harness.waitForExecution(n8n, { executionId, statuses: ['waiting', 'success', 'error', 'crashed', 'canceled'] });
	assert.equal(waiting.status, 'waiting', JSON.stringify(harness.summarise(waiting).error));
	const url = new URL(notification.json.approvalUrl);
	assert.equal(url.origin, n8n.baseUrl);
	assert.ok(url.pathname.startsWith(`/webhook-waiting/${executionId}/`), url.pathname);
	assert.ok(url.searchParams.get('signature'), 'the link carries n8n\'s resume token');
	assert.ok(notification.json.text.includes(notification.json.approvalUrl));
	return { url, notification: notification.json };
}

/**
 * @param {URL} url
 * @param {Record<string, string>} fields
 */
function postDecision(url, fields) {
	return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

/** Worker job ids that finished `executionId` (n8n logs one line per job), waiting a little for the log to catch up. */
/**
 * @param {string} executionId
 * @param {number} expected
 */
async function workerJobsOf(executionId, expected) {
	const pattern = new RegExp(`Worker finished execution ${executionId} \\(job ([^)]+)\\)`, 'g');
	/** @type {string[]} */
	let jobs = [];
	for (let attempt = 0; attempt < 50 && jobs.length < expected; attempt++) {
		if (attempt) await new Promise((resolve) => setTimeout(resolve, 200));
		const log = fs.readFileSync(path.join(userFolder, 'n8n-worker.log'), 'utf8');
		jobs = [...new Set([...log.matchAll(pattern)].map((m) => m[1]))];
	}
	return jobs;
}

/**
 * @param {import('../../scripts/n8n/run').Summary} summary
 * @param {string} node
 */
function ran(summary, node) {
	return Object.hasOwn(summary.nodes, node);
}

/**
 * @param {import('../../lib/index').StoreConfig} store
 * @param {string} dataset
 * @returns {Promise<ApprovalMeta>}
 */
async function approvalMeta(store, dataset) {
	return /** @type {ApprovalMeta} */ (await t.datasetMeta(store, dataset));
}

/**
 * @param {string} scenario
 * @param {Backend} backend
 */
async function approveScenario(scenario, backend) {
	const store = stores[backend];
	const expectedVersion = await t.withStore(store, async (s) => (await t.library().computeVersion(s, 'news_ner')).id);
	const { executionId } = await startTemplate(scenario, backend, 'news_ner');
	const { url, notification } = await approvalLinkOf(scenario, executionId);
	assert.equal(notification.dataset, 'news_ner');
	assert.equal(notification.versionId, expectedVersion);
	assert.equal(notification.rulesDecision, 'approved');
	assert.deepEqual(notification.checks.map((c) => [c.check, c.passed]), [
		['minAnnotations', true],
		['minAnnotators', true],
		['maxRejectShare', true],
		['minAgreement', true],
	]);

	// Opening the link shows the page and decides nothing.
	const page = await fetch(url);
	assert.equal(page.status, 200);
	assert.match(page.headers.get('content-type') ?? '', /text\/html/);
	assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
	const html = await page.text();
	assert.ok(html.includes('news_ner') && html.includes(expectedVersion), 'the page names the dataset and version');
	assert.match(html, /<button[^>]*value="approve"/);
	const meta = await approvalMeta(store, 'news_ner');
	const request = meta.approvalRequests.find((r) => r.id === url.searchParams.get('request'));
	assert.ok(request, 'the request is pending in the dataset meta');
	assert.equal(request.executionId, String(executionId));
	assert.ok(!meta.approvals.some((a) => a.requestId === request.id), 'nothing was decided by opening the link');
	assert.equal((await harness.getExecution(n8n, executionId)).status, 'waiting');

	const answer = await postDecision(url, { name: 'Dana Data-Owner', comment: 'Agreement is fine for NER v3', decision: 'approve' });
	assert.equal(answer.status, 200);
	assert.match(await answer.text(), /Approved/);
	const summary = await finished(executionId);
	assert.equal(summary.status, 'success', JSON.stringify(summary.error));
	assert.equal(ran(summary, ALERT_NODE), false, 'nothing went to the Rejected branch');

	const [approved] = /** @type {{ approval: Approval }[]} */ (harness.outputOf(summary, HUMAN_NODE));
	assert.equal(approved.approval.decision, 'approved');
	assert.equal(approved.approval.approver, 'Dana Data-Owner');
	const [exported] = harness.outputOf(summary, EXPORT_NODE);
	assert.equal(exported.approved, true);
	assert.equal(exported.versionId, expectedVersion);
	assert.equal(exported.count, 80);
	assert.equal(exported.fileName, `news_ner-${expectedVersion.slice(0, 12)}.jsonl`);

	// The training service got exactly the approved version's examples, as Prodigy's db-out writes them.
	const [handoff] = recorder.to(`/training/${scenario}`);
	assert.ok(handoff, 'the training hand-off was called');
	assert.equal(handoff.headers['x-prodigy-version'], expectedVersion);
	assert.equal(handoff.headers['x-approved-by'], 'Dana Data-Owner');
	assert.equal(handoff.headers['x-model-version'], 'ner-news-2025-03');
	const lines = handoff.body.toString('utf8').split('\n').filter(Boolean);
	assert.deepEqual(lines, await t.dbOut(store, 'news_ner'));

	// The audit trail: the rules' approval and the person's, both about this version; no request left pending.
	const after = await approvalMeta(store, 'news_ner');
	assert.deepEqual(after.approvalRequests, []);
	assert.ok(after.versions.some((v) => v.id === expectedVersion && v.modelVersion === 'ner-news-2025-03'));
	const [rules, human] = after.approvals.slice(-2);
	assert.equal(rules.mode, 'rules');
	assert.equal(rules.decision, 'approved');
	assert.equal(rules.versionId, expectedVersion);
	assert.deepEqual(
		{ mode: human.mode, decision: human.decision, approver: human.approver, comment: human.comment, versionId: human.versionId, requestId: human.requestId },
		{ mode: 'human', decision: 'approved', approver: 'Dana Data-Owner', comment: 'Agreement is fine for NER v3', versionId: expectedVersion, requestId: request.id },
	);
	if (queue) {
		// Two worker jobs ran this execution: up to the wait, and the resumed rest after the approver's POST (which
		// n8n main received and queued). Nothing of the run stayed in a process's memory across the wait.
		const jobs = await workerJobsOf(executionId, 2);
		assert.equal(jobs.length, 2, `worker jobs of execution ${executionId}: ${jobs.join(', ')}`);
	}

	// A second POST on the same link is refused: the decision stands.
	const again = await postDecision(url, { name: 'Mallory', decision: 'reject' });
	assert.ok([404, 409, 410].includes(again.status), `second POST answered ${again.status}`);
	assert.equal((await approvalMeta(store, 'news_ner')).approvals.length, after.approvals.length);
}

test('SQLite: rules pass, the approver opens the link, then approves; the approved version goes to training', { timeout: 300_000 }, async () => {
	await approveScenario('sqlite-approve', 'sqlite');
});

test('PostgreSQL as the Prodigy database: the same approval path end to end', { timeout: 300_000 }, async () => {
	await approveScenario('postgres-approve', 'postgres');
});

test('the approver rejects: the team is told who rejected and why, nothing is exported', { timeout: 300_000 }, async () => {
	const scenario = 'sqlite-reject';
	const { executionId } = await startTemplate(scenario, 'sqlite', 'news_ner');
	const { url } = await approvalLinkOf(scenario, executionId);
	const incomplete = await postDecision(url, { name: '', decision: 'reject' });
	assert.equal(incomplete.status, 400, 'a decision needs a name');
	assert.equal((await harness.getExecution(n8n, executionId)).status, 'waiting');
	const answer = await postDecision(url, { name: 'Sam Reviewer', comment: 'Too few DATE spans', decision: 'reject' });
	assert.equal(answer.status, 200);
	const summary = await finished(executionId);
	assert.equal(summary.status, 'success', JSON.stringify(summary.error));
	assert.equal(ran(summary, EXPORT_NODE), false);
	assert.equal(recorder.to(`/training/${scenario}`).length, 0);
	const alert = /** @type {Alert} */ (recorder.to(`/alerts/${scenario}`)[0]?.json);
	assert.equal(alert.decidedBy, 'Sam Reviewer');
	assert.equal(alert.dataset, 'news_ner');
	assert.equal(alert.text, 'Prodigy dataset "news_ner" was not approved for training by Sam Reviewer: Too few DATE spans');
	const last = (await approvalMeta(stores.sqlite, 'news_ner')).approvals.at(-1);
	assert.equal(last?.decision, 'rejected');
	assert.equal(last?.approver, 'Sam Reviewer');
});

test('the quality rules fail: nobody is asked, the team gets the failed checks', { timeout: 300_000 }, async () => {
	const scenario = 'sqlite-rules-fail';
	const { executionId } = await startTemplate(scenario, 'sqlite', 'news_ner_draft');
	const summary = await finished(executionId);
	assert.equal(summary.status, 'success', JSON.stringify(summary.error));
	assert.equal(ran(summary, HUMAN_NODE), false);
	assert.equal(ran(summary, EXPORT_NODE), false);
	assert.equal(recorder.to(`/approval-requests/${scenario}`).length, 0);
	const [rejected] = /** @type {{ approval: Approval }[]} */ (harness.outputOf(summary, RULES_NODE, { output: 1 }));
	assert.equal(rejected.approval.decision, 'rejected');
	const alert = /** @type {Alert} */ (recorder.to(`/alerts/${scenario}`)[0]?.json);
	assert.equal(alert.decidedBy, 'quality rules');
	assert.deepEqual(alert.reasons, rejected.approval.reasons);
	assert.match(alert.text, /^Prodigy dataset "news_ner_draft" was not approved for training by the quality rules: Annotations 2 is below the minimum 50/);
	const meta = await approvalMeta(stores.sqlite, 'news_ner_draft');
	assert.equal(meta.approvals.at(-1)?.decision, 'rejected');
	assert.deepEqual(meta.approvalRequests ?? [], []);
});

/**
 * The form's target on an approver page (HTML-escaped in the page).
 * @param {string} html
 */
function formAction(html) {
	const action = /<form method="post" action="([^"]*)">/.exec(html)?.[1];
	assert.ok(action, 'the page has the decision form');
	return new URL(action.replace(/&amp;/g, '&'));
}

/**
 * What a page must never show: n8n's JSON error body, a stack trace, a server path.
 * @param {string} html
 */
function assertOwnPage(html) {
	assert.match(html, /^<!DOCTYPE html>/);
	assert.doesNotMatch(html, /stacktrace|\{"code"|node_modules|\.js:\d|\/(tmp|root|home|work|usr)\//i);
}

test('published: the approver link is the gate\'s own page, and opened again after the run it says who decided what and when', { timeout: 300_000 }, async () => {
	const scenario = 'sqlite-published';
	const workflow = t.withConfig(template, {
		dataset: 'news_ner',
		approvalNotifyUrl: recorder.url(`/approval-requests/${scenario}`),
		trainingUrl: recorder.url(`/training/${scenario}`),
		alertUrl: recorder.url(`/alerts/${scenario}`),
	});
	workflow.name = `${template.name} (${scenario})`;
	// A published workflow runs from a trigger: the Manual Trigger becomes a Webhook trigger of the same name.
	const hookPath = `prodigy-approval-${crypto.randomBytes(4).toString('hex')}`;
	Object.assign(t.nodeOf(workflow, 'Start Approval Review'), {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'onReceived', options: {} },
		webhookId: crypto.randomUUID(),
	});
	const stored = await harness.importWorkflow(n8n, workflow, { credentials: credentialMaps.sqlite });
	await harness.publishAndWait(n8n, stored.id);
	try {
		const started = await fetch(`${n8n.baseUrl}/webhook/${hookPath}`, { method: 'POST' });
		assert.equal(started.status, 200, await started.text());
		const notified = await recorder.waitFor((r) => r.path === `/approval-requests/${scenario}`, { what: 'the approval link' });
		const link = new URL(/** @type {ApprovalNotification} */ (notified.json).approvalUrl);
		const waiting = await harness.waitForExecution(n8n, { workflowId: stored.id, statuses: ['waiting', 'success', 'error', 'crashed', 'canceled'] });
		assert.equal(waiting.status, 'waiting', JSON.stringify(harness.summarise(waiting).error));
		const executionId = String(waiting.id);

		// The link is the gate's production webhook (its webhookId path), not the execution's resume URL.
		assert.equal(link.origin + link.pathname, `${n8n.baseUrl}/webhook/${t.nodeOf(template, HUMAN_NODE).webhookId}/approval`);
		const page = await fetch(link);
		assert.equal(page.status, 200);
		assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
		const html = await page.text();
		assertOwnPage(html);
		assert.ok(html.includes('news_ner'), 'the page names the dataset');
		const action = formAction(html);
		assert.ok(action.pathname.startsWith(`/webhook-waiting/${executionId}/`), `the form posts to the resume URL: ${action.pathname}`);

		const answer = await postDecision(action, { name: 'Dana Data-Owner', comment: 'Agreement is fine for NER v3', decision: 'approve' });
		assert.equal(answer.status, 303, 'the form answer sends the browser back to the status link');
		assert.equal(answer.headers.get('location'), link.href);
		const summary = await finished(executionId);
		assert.equal(summary.status, 'success', JSON.stringify(summary.error));
		const [exported] = harness.outputOf(summary, EXPORT_NODE);
		assert.equal(exported.approved, true);

		// Opened again once the execution has finished (n8n answers the resume URL itself by then): who decided
		// what and when, and nothing of the server.
		const human = (await approvalMeta(stores.sqlite, 'news_ner')).approvals.filter((a) => a.mode === 'human').at(-1);
		assert.ok(human, 'the decision is in the audit trail');
		assert.equal(human.approver, 'Dana Data-Owner');
		const when = `${human.time.slice(0, 10)} ${human.time.slice(11, 16)} UTC`;
		const again = await fetch(link);
		assert.equal(again.status, 200);
		assert.match(again.headers.get('content-type') ?? '', /text\/html/);
		const decided = await again.text();
		assertOwnPage(decided);
		assert.ok(decided.includes(`Approved by Dana Data-Owner on ${when}`), decided);
		assert.ok(decided.includes('Agreement is fine for NER v3'));
		assert.ok(!decided.includes('<form'), 'nothing more to decide');
	} finally {
		await harness.unpublishWorkflow(n8n, stored.id);
	}
});
