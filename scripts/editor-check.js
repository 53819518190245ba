#!/usr/bin/env node
/// <reference lib="dom" />
// (The callbacks given to Playwright's $$eval run in the browser.)
// `node scripts/editor-check.js [--url http://127.0.0.1:5678] [--out <dir>]`: what a person sees in the real editor,
// checked in headless Chromium against a running `npm start` demo (same browser setup as `npm run screenshots`):
// - the node panel's search: which entries each query lists (every Prodigy node by its name, "Prodigy" and alias
//   words), with a picture of the "Prodigy" search;
// - every template's default "Execute workflow" button: which trigger it ran from and how the run ended.
// Prints one line per check and exits non-zero when one fails.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const harness = require('./n8n');
const { chromiumPath, loadPlaywright, signIn, openWorkflow } = require('./screenshots');

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
const FINISHED = ['success', 'error', 'crashed', 'canceled', 'waiting'];

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
 * @param {import('playwright-core').Page} page
 * @param {string} query
 */
async function search(page, query) {
	const input = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();
	await input.fill('');
	await input.fill(query);
	await page.waitForTimeout(700);
	return page.$$eval('[data-test-id="node-creator-item-name"]', (items) => items.map((item) => (item.textContent ?? '').trim()));
}

/** @param {string[]} argv */
async function main(argv) {
	const args = parseArgs(argv);
	const axios = harness.loadAxios();
	const owner = harness.DEFAULT_OWNER;
	const n8n = { baseUrl: args.url, owner };
	// A session for the REST API (executions of the runs the button starts), as the browser has one.
	const login = await axios.post(`${args.url}/rest/login`, { emailOrLdapLoginId: owner.email, password: owner.password }, { headers: { 'browser-id': 'editor-check' } });
	const rest = axios.create({ baseURL: `${args.url}/rest`, headers: { cookie: String(login.headers['set-cookie']).split(';')[0], 'browser-id': 'editor-check' } });
	/** @type {{ id: string, name: string }[]} */
	const workflows = (await rest.get('/workflows')).data.data;

	const { chromium } = loadPlaywright();
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-prodigy-editor-check-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: chromiumPath(),
		headless: true,
		viewport: { width: 1600, height: 1000 },
		deviceScaleFactor: 2,
		args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
	});
	/** @type {string[]} */
	const failures = [];
	/**
	 * @param {boolean} ok
	 * @param {string} text
	 */
	const say = (ok, text) => {
		console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
		if (!ok) failures.push(text);
	};
	try {
		/** @type {import('playwright-core').Page} */
		const page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(60_000);
		await signIn(page, n8n);

		// Node panel: opened with the canvas's + button on a workflow that already has nodes ("What happens next?").
		const anyWorkflow = (await rest.get(`/workflows/${workflows[0].id}`)).data.data;
		await openWorkflow(page, n8n, anyWorkflow, anyWorkflow.nodes.length);
		await page.locator('[data-test-id="node-creator-plus-button"]').click();
		await page.locator('[data-test-id="node-creator-search-bar"]').first().waitFor();
		for (const [query, expected] of SEARCHES) {
			const titles = await search(page, query);
			const missing = expected.filter((title) => !titles.includes(title));
			say(missing.length === 0, `search "${query}": ${titles.slice(0, 8).join(', ') || 'No results'}${missing.length ? ` (missing ${missing.join(', ')})` : ''}`);
			if (query === 'Prodigy' && args.out) await page.screenshot({ path: path.join(args.out, 'node-panel-search-prodigy.png'), clip: (await page.locator('[data-test-id="node-creator"]').first().boundingBox()) ?? undefined });
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
		say(wanted.every((name) => actions.includes(name)), `"Prodigy Dataset" entry on an empty canvas: ${actions.join(', ')}`);
		if (args.out) await page.screenshot({ path: path.join(args.out, 'node-panel-prodigy-dataset-entry.png'), clip: (await page.locator('[data-test-id="node-creator"]').first().boundingBox()) ?? undefined });
		await page.keyboard.press('Escape');
		await page.keyboard.press('Escape');

		// Every template's default Execute workflow button.
		for (const summary of workflows.sort((a, b) => a.name.localeCompare(b.name))) {
			const workflow = (await rest.get(`/workflows/${summary.id}`)).data.data;
			await openWorkflow(page, n8n, workflow, workflow.nodes.length);
			const before = (await rest.get('/executions', { params: { filter: JSON.stringify({ workflowId: workflow.id }), limit: 1 } })).data.data.results[0];
			const button = page.locator('[data-test-id="execute-workflow-button"]');
			const label = ((await button.textContent()) ?? '').trim();
			await button.click();
			let execution;
			const deadline = Date.now() + 240_000;
			while (Date.now() < deadline) {
				const [latest] = (await rest.get('/executions', { params: { filter: JSON.stringify({ workflowId: workflow.id }), limit: 1 } })).data.data.results;
				if (latest && latest.id !== before?.id && FINISHED.includes(latest.status)) {
					execution = latest;
					break;
				}
				await page.waitForTimeout(1000);
			}
			const waitingForWebhook = await page.locator('text=Waiting for trigger event').count();
			const full = execution ? (await rest.get(`/executions/${execution.id}`)).data.data : null;
			const startedFrom = full ? summaryTrigger(full, workflow) : null;
			const ok = execution && (execution.status === 'success' || execution.status === 'waiting');
			say(Boolean(ok), `"${workflow.name}": button "${label}" ran from ${startedFrom ? `"${startedFrom}"` : '?'}: ${execution ? execution.status : waitingForWebhook ? 'waiting for a webhook call' : 'no execution'}`);
			if (!execution) await page.keyboard.press('Escape');
		}
	} finally {
		await context.close();
		fs.rmSync(userDataDir, { recursive: true, force: true });
	}
	console.log(`\n${failures.length ? `${failures.length} failed` : 'all passed'}`);
	return failures.length ? 1 : 0;
}

/**
 * The trigger node an execution started from: the trigger of the workflow that has run data.
 * @param {{ data: string | { resultData?: { runData?: Record<string, unknown> } } }} execution as the REST API sends it
 * @param {{ nodes: import('./n8n/api').WorkflowNode[] }} workflow
 * @returns {string | null}
 */
function summaryTrigger(execution, workflow) {
	// The REST API sends execution data serialised with flatted (n8n's dependency, in the cached install).
	const { parse } = require(require.resolve('flatted', { paths: [harness.cacheDir()] }));
	const data = typeof execution.data === 'string' ? parse(execution.data) : execution.data;
	const ran = Object.keys(data?.resultData?.runData ?? {});
	const triggers = workflow.nodes.filter((n) => /trigger$/i.test(n.type) || n.type === 'n8n-nodes-base.webhook').map((n) => n.name);
	return triggers.find((name) => ran.includes(name)) ?? null;
}

main(process.argv.slice(2)).then(
	(code) => process.exit(code),
	(error) => {
		console.error(error.stack || error.message);
		process.exit(1);
	},
);
