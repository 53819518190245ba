#!/usr/bin/env node
/// <reference lib="dom" />
// (The callbacks given to Playwright's $$eval run in the browser.)
// `node scripts/editor-check.js [--url http://127.0.0.1:5678] [--out <dir>]`: what a person sees in the real editor,
// checked in headless Chromium against a running `npm start` demo (same browser setup as `npm run screenshots`):
// - the node panel's search: which entries each query lists (every Prodigy node by its name, "Prodigy" and alias
//   words), with a picture of the "Prodigy" search;
// - every template's default "Execute workflow" button: which trigger it ran from and how the run ended; for the
//   workflows imported from examples/, that it ran from the trigger BUTTON_EXPECTATIONS names and reached the node of
//   the template's headline feature (test/e2e/template-buttons.e2e.js runs this check on its own n8n).
// Prints one line per check and exits non-zero when one fails.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const harness = require('./n8n');
const { chromiumPath, loadPlaywright, signIn, openWorkflow } = require('./screenshots');

const EXAMPLES_DIR = path.join(__dirname, '..', 'examples');

/** @type {[string, string[]][]} query, the entries it must list */
const SEARCHES = [
	['Prodigy', ['Prodigy Dataset', 'Approval Gate', 'Confidence Filter', 'Version Stamp']],
	['Prodigy Dataset', ['Prodigy Dataset']],
	['Prodigy Dataset Trigger', ['Prodigy Dataset']],
	['Confidence Filter', ['Confidence Filter']],
	['confidence', ['Confidence Filter']],
	['uncertainty', ['Confidence Filter']],
	['active learning', ['Confidence Filter']],
	['Version Stamp', ['Version Stamp']],
	['provenance', ['Version Stamp']],
	['Approval Gate', ['Approval Gate']],
	['sign-off', ['Approval Gate']],
	['annotation', ['Prodigy Dataset']],
];

/**
 * What each template's default "Execute workflow" button must do, by the template's file number: run from `trigger`
 * (n8n 2.40 starts it from the enabled trigger it ranks first: a form, a webhook, a trigger outside n8n's Core Nodes
 * such as Prodigy Dataset Trigger, a schedule, a manual trigger; ties in node order) and reach `headline`, a node
 * of the feature the template is named for that runs on every run from that trigger.
 * @type {Record<string, { trigger: string, headline: string }>}
 */
const BUTTON_EXPECTATIONS = {
	'01': { trigger: 'Every 15 Minutes', headline: 'Add CRM Tickets' },
	'02': { trigger: 'Every Night at 2am', headline: 'Record Dataset Version' },
	// Not "When a Reviewer Accepts" (part 2, corrections): the Confidence Filter routing is the template's headline.
	'03': { trigger: 'Predictions Ready', headline: 'Route by Confidence' },
	'04': { trigger: 'Every Morning', headline: 'Pick Most Uncertain' },
	'05': { trigger: 'Start Approval Review', headline: 'Quality Rules' },
	'06': { trigger: 'Start Consolidation', headline: 'Consolidate into One Dataset' },
	'07': { trigger: 'Start Audit Run', headline: 'Record Dataset Version' },
	'08': { trigger: 'Tickets from the Help Desk', headline: 'Add to Annotation Queue' },
};
const FINISHED = ['success', 'error', 'crashed', 'canceled', 'waiting'];

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('axios').AxiosInstance} AxiosInstance */
/** @typedef {{ baseUrl: string, owner: { email: string, password: string } }} Editor */
/** @typedef {{ ok: boolean, text: string }} Check */
/**
 * One press of a workflow's default "Execute workflow" button.
 * @typedef {object} ButtonRun
 * @property {string} workflow the workflow's name
 * @property {string | null} template the examples/ file number ("03") of the template it was imported from
 * @property {string} label the button's text ("Execute workflow from …" when the workflow has several triggers)
 * @property {string | null} startedFrom the trigger the run started from
 * @property {string | null} status the execution's status, or null when no run finished
 * @property {string[]} ran the nodes that ran
 * @property {boolean} ok
 * @property {string} text
 */

/** @param {string[]} argv */
function parseArgs(argv) {
	const args = { url: `http://127.0.0.1:${process.env.PORT || 5678}`, out: /** @type {string | null} */ (null) };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--url') args.url = argv[++i];
		else if (argv[i] === '--out') args.out = path.resolve(argv[++i]);
		else throw new Error(`unknown option ${argv[i]}`);
	}
	return args;
}

/**
 * The entry titles the node panel lists for a query (section headers left out).
 * @param {Page} page
 * @param {string} query
 */
async function search(page, query) {
	const input = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();
	await input.fill('');
	await input.fill(query);
	await page.waitForTimeout(700);
	return page.$$eval('[data-test-id="node-creator-item-name"]', (items) => items.map((item) => (item.textContent ?? '').trim()));
}

/**
 * The examples/ file number of each template, by workflow name (the name `npm start` imports it under).
 * @returns {Map<string, string>}
 */
function templateNumbers() {
	/** @type {Map<string, string>} */
	const byName = new Map();
	for (const file of fs.readdirSync(EXAMPLES_DIR).filter((f) => /^\d\d-.*\.json$/.test(f))) {
		const { name } = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
		byName.set(name, file.slice(0, 2));
	}
	return byName;
}

/**
 * A REST session (as the browser has one), for the executions the button starts.
 * @param {string} url
 * @param {{ email: string, password: string }} owner
 * @returns {Promise<AxiosInstance>}
 */
async function restSession(url, owner) {
	const axios = harness.loadAxios();
	const login = await axios.post(`${url}/rest/login`, { emailOrLdapLoginId: owner.email, password: owner.password }, { headers: { 'browser-id': 'editor-check' } });
	return axios.create({ baseURL: `${url}/rest`, headers: { cookie: String(login.headers['set-cookie']).split(';')[0], 'browser-id': 'editor-check' } });
}

/**
 * Runs `fn` with a signed-in page of headless Chromium.
 * @template T
 * @param {Editor} n8n
 * @param {(page: Page) => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withEditor(n8n, fn) {
	const { chromium } = loadPlaywright();
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-prodigy-editor-check-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: chromiumPath(),
		headless: true,
		viewport: { width: 1600, height: 1000 },
		deviceScaleFactor: 2,
		args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
	});
	try {
		/** @type {Page} */
		const page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(60_000);
		await signIn(page, n8n);
		return await fn(page);
	} finally {
		await context.close();
		fs.rmSync(userDataDir, { recursive: true, force: true });
	}
}

/**
 * The node panel's search and the Prodigy Dataset entry on an empty canvas.
 * @param {Page} page
 * @param {Editor} n8n
 * @param {AxiosInstance} rest
 * @param {string | null} out where to save the pictures, if anywhere
 * @returns {Promise<Check[]>}
 */
async function checkNodePanel(page, n8n, rest, out) {
	/** @type {Check[]} */
	const checks = [];
	/** @type {{ id: string }[]} */
	const workflows = (await rest.get('/workflows')).data.data;
	// Node panel: opened with the canvas's + button on a workflow that already has nodes ("What happens next?").
	const anyWorkflow = (await rest.get(`/workflows/${workflows[0].id}`)).data.data;
	await openWorkflow(page, n8n, anyWorkflow, anyWorkflow.nodes.length);
	await page.locator('[data-test-id="node-creator-plus-button"]').click();
	await page.locator('[data-test-id="node-creator-search-bar"]').first().waitFor();
	for (const [query, expected] of SEARCHES) {
		const titles = await search(page, query);
		const missing = expected.filter((title) => !titles.includes(title));
		checks.push({ ok: missing.length === 0, text: `search "${query}": ${titles.slice(0, 8).join(', ') || 'No results'}${missing.length ? ` (missing ${missing.join(', ')})` : ''}` });
		if (query === 'Prodigy' && out) await page.screenshot({ path: path.join(out, 'node-panel-search-prodigy.png'), clip: (await page.locator('[data-test-id="node-creator"]').first().boundingBox()) ?? undefined });
	}
	await page.keyboard.press('Escape');
	// The Prodigy Dataset entry holds the trigger's events: n8n lists them when the workflow needs a trigger
	// ("What triggers this workflow?" on an empty canvas); with one already there it lists only the actions.
	await page.goto(`${n8n.baseUrl}/workflow/new`);
	await page.locator('[data-test-id="canvas-wrapper"]').waitFor();
	await page.locator('[data-test-id="canvas-add-button"], [data-test-id="node-creator-plus-button"]').first().click();
	await search(page, 'Prodigy');
	await page.locator('[data-test-id="node-creator-item-name"]', { hasText: 'Prodigy Dataset' }).first().click();
	await page.waitForTimeout(700);
	const actions = await page.$$eval('[data-test-id="node-creator-item-name"]', (items) => items.map((item) => (item.textContent ?? '').trim()));
	const wanted = ['On new annotation', 'On new dataset', 'On new session', 'On milestone', 'On stalled'];
	checks.push({ ok: wanted.every((name) => actions.includes(name)), text: `"Prodigy Dataset" entry on an empty canvas: ${actions.join(', ')}` });
	if (out) await page.screenshot({ path: path.join(out, 'node-panel-prodigy-dataset-entry.png'), clip: (await page.locator('[data-test-id="node-creator"]').first().boundingBox()) ?? undefined });
	await page.keyboard.press('Escape');
	await page.keyboard.press('Escape');
	return checks;
}

/**
 * Opens every workflow (by name), presses its default "Execute workflow" button once, as a person does, and waits
 * for the run to finish (or to wait, as template 5 does for its approver).
 * @param {Page} page
 * @param {Editor} n8n
 * @param {AxiosInstance} rest
 * @returns {Promise<ButtonRun[]>}
 */
async function checkExecuteButtons(page, n8n, rest) {
	const numbers = templateNumbers();
	/** @type {{ id: string, name: string }[]} */
	const workflows = (await rest.get('/workflows')).data.data;
	/** @type {ButtonRun[]} */
	const runs = [];
	for (const summary of workflows.sort((a, b) => a.name.localeCompare(b.name))) {
		const workflow = (await rest.get(`/workflows/${summary.id}`)).data.data;
		await openWorkflow(page, n8n, workflow, workflow.nodes.length);
		const latest = async () => (await rest.get('/executions', { params: { filter: JSON.stringify({ workflowId: workflow.id }), limit: 1 } })).data.data.results[0];
		const before = await latest();
		const button = page.locator('[data-test-id="execute-workflow-button"]');
		const label = ((await button.textContent()) ?? '').replace(/\s+/g, ' ').trim();
		await button.click();
		let execution;
		const deadline = Date.now() + 240_000;
		while (Date.now() < deadline) {
			const newest = await latest();
			if (newest && newest.id !== before?.id && FINISHED.includes(newest.status)) {
				execution = newest;
				break;
			}
			await page.waitForTimeout(1000);
		}
		const waitingForWebhook = await page.locator('text=Waiting for trigger event').count();
		const ran = execution ? nodesThatRan((await rest.get(`/executions/${execution.id}`)).data.data) : [];
		const startedFrom = triggerThatRan(ran, workflow);
		const template = numbers.get(workflow.name) ?? null;
		const expected = template ? BUTTON_EXPECTATIONS[template] : undefined;
		const status = execution ? execution.status : null;
		/** @type {string[]} */
		const wrong = [];
		if (status !== 'success' && status !== 'waiting') wrong.push('the run did not succeed');
		if (expected && startedFrom !== expected.trigger) wrong.push(`expected the button to run from "${expected.trigger}"`);
		if (expected && !ran.includes(expected.headline)) wrong.push(`"${expected.headline}" did not run`);
		const outcome = status ?? (waitingForWebhook ? 'waiting for a webhook call' : 'no execution');
		runs.push({
			workflow: workflow.name,
			template,
			label,
			startedFrom,
			status,
			ran,
			ok: wrong.length === 0,
			text: `"${workflow.name}": button "${label}" ran from ${startedFrom ? `"${startedFrom}"` : '?'}: ${outcome}${wrong.length ? ` (${wrong.join('; ')})` : ''}`,
		});
		if (!execution) await page.keyboard.press('Escape');
	}
	return runs;
}

/**
 * The nodes an execution ran, in the order they first ran.
 * @param {{ data: string | { resultData?: { runData?: Record<string, unknown> } } }} execution as the REST API sends it
 * @returns {string[]}
 */
function nodesThatRan(execution) {
	// The REST API sends execution data serialised with flatted (n8n's dependency, in the cached install).
	const { parse } = require(require.resolve('flatted', { paths: [harness.cacheDir()] }));
	const data = typeof execution.data === 'string' ? parse(execution.data) : execution.data;
	return Object.keys(data?.resultData?.runData ?? {});
}

/**
 * The trigger node a run started from: the workflow's trigger that ran.
 * @param {string[]} ran
 * @param {{ nodes: import('./n8n/api').WorkflowNode[] }} workflow
 * @returns {string | null}
 */
function triggerThatRan(ran, workflow) {
	const triggers = workflow.nodes.filter((n) => /trigger$/i.test(n.type) || n.type === 'n8n-nodes-base.webhook').map((n) => n.name);
	return triggers.find((name) => ran.includes(name)) ?? null;
}

/** @param {string[]} argv */
async function main(argv) {
	const args = parseArgs(argv);
	const owner = harness.DEFAULT_OWNER;
	const n8n = { baseUrl: args.url, owner };
	const rest = await restSession(args.url, owner);
	/** @type {string[]} */
	const failures = [];
	/** @param {Check} check */
	const say = ({ ok, text }) => {
		console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
		if (!ok) failures.push(text);
	};
	await withEditor(n8n, async (page) => {
		for (const check of await checkNodePanel(page, n8n, rest, args.out)) say(check);
		for (const run of await checkExecuteButtons(page, n8n, rest)) say(run);
	});
	console.log(`\n${failures.length ? `${failures.length} failed` : 'all passed'}`);
	return failures.length ? 1 : 0;
}

module.exports = { BUTTON_EXPECTATIONS, restSession, withEditor, checkNodePanel, checkExecuteButtons };

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error) => {
			console.error(error.stack || error.message);
			process.exit(1);
		},
	);
}
