// Shared by the e2e tests of templates 5-8: load a template and set its Config values (the only change a test makes
// to a template, besides what a test says explicitly), stand-ins for the external systems (a local HTTP server that
// records what it receives), Prodigy databases on SQLite and PostgreSQL written and read through the built library.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
// The stand-in for external systems (chat webhook, training API, CRM, model service): a local HTTP server that
// records every request and answers with the test's `respond(request)`; `npm start`'s demo services use it too.
const { startRecorder } = require('../../scripts/demo-services');

const REPO = path.resolve(__dirname, '..', '..');
const EXAMPLES = path.join(REPO, 'examples');
const FIXTURES = path.join(__dirname, 'fixtures');
const PG = { host: '127.0.0.1', port: 5432, user: process.env.PGUSER || 'postgres', password: '' };
/** @typedef {import('../../lib/index').StoreConfig} StoreConfig */
/** @typedef {import('../../lib/index').ProdigyStore} ProdigyStore */
/** @typedef {import('../../scripts/n8n/api').WorkflowNode} WorkflowNode */
/** @typedef {import('../../scripts/n8n/api').Workflow & { name: string, nodes: WorkflowNode[] }} Template an examples/ file */

/** The credential name every template uses (`npm start` links it to the demo database). */
const PRODIGY_CREDENTIAL = 'Prodigy Demo DB';

/** @returns {typeof import('../../lib/index')} the built dist/lib/index.js */
function library() {
	return require(path.join(REPO, 'dist', 'lib', 'index.js'));
}

/** @param {string} name */
function fixture(name) {
	return path.join(FIXTURES, name);
}

/**
 * The template file examples/<prefix>-*.json, parsed.
 * @param {string} prefix
 * @returns {Template}
 */
function loadTemplate(prefix) {
	const file = fs.readdirSync(EXAMPLES).find((f) => f.startsWith(`${prefix}-`) && f.endsWith('.json'));
	if (!file) throw new Error(`no examples/${prefix}-*.json`);
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
}

/**
 * @param {Template} workflow
 * @param {string} name
 */
function nodeOf(workflow, name) {
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`workflow "${workflow.name}" has no node "${name}"`);
	return node;
}

/**
 * A copy of the workflow with values of a Set node's fields replaced (e.g. the Config node's URLs and paths).
 * Every key must already be a field of that node, so a renamed field fails the test instead of being ignored.
 * @param {Template} workflow
 * @param {Record<string, unknown>} values
 * @param {string} [nodeName]
 * @returns {Template}
 */
function withConfig(workflow, values, nodeName = 'Config') {
	const copy = structuredClone(workflow);
	// A Set node's fields (n8n's assignmentCollection).
	const { assignments } = /** @type {{ assignments: { name: string, value: unknown }[] }} */ (nodeOf(copy, nodeName).parameters.assignments);
	for (const [name, value] of Object.entries(values)) {
		const field = assignments.find((a) => a.name === name);
		if (!field) throw new Error(`"${nodeName}" has no field "${name}" (has ${assignments.map((a) => a.name).join(', ')})`);
		field.value = value;
	}
	return copy;
}

/** @param {string} database */
function pgClient(database) {
	/** @type {typeof import('pg')} */
	const { Client } = require(require.resolve('pg', { paths: [REPO] }));
	return new Client({ ...PG, database });
}

/**
 * Runs `fn(client)` on a connection to `database` and always closes it.
 * @template T
 * @param {string} database
 * @param {(client: import('pg').Client) => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withPg(database, fn) {
	const client = pgClient(database);
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

/**
 * A fresh PostgreSQL database with a generated name ([a-z0-9_], safe as an identifier); drop it with dropPgDatabase.
 * @param {string} prefix
 */
async function createPgDatabase(prefix) {
	const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
	await withPg('postgres', (client) => client.query(`CREATE DATABASE "${name}"`));
	return name;
}

/** @param {string | undefined} name */
async function dropPgDatabase(name) {
	if (!name) return;
	await withPg('postgres', (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * Store config (for the library) of a Prodigy database on SQLite (a file path) or PostgreSQL (a database name).
 * @param {string} file
 * @returns {Extract<StoreConfig, { type: 'sqlite' }>}
 */
function sqliteStore(file) {
	return { type: 'sqlite', path: file };
}
/**
 * @param {string} database
 * @returns {StoreConfig}
 */
function postgresStore(database) {
	return { type: 'postgres', host: PG.host, port: PG.port, user: PG.user, password: PG.password, database };
}

/**
 * The n8n credential (type prodigyDatabaseApi) for a store config.
 * @param {string} name
 * @param {StoreConfig} store
 * @returns {import('../../scripts/n8n/api').CredentialInput}
 */
function prodigyCredential(name, store) {
	if (store.type === 'sqlite') return { name, type: 'prodigyDatabaseApi', data: { type: 'sqlite', path: store.path } };
	return {
		name,
		type: 'prodigyDatabaseApi',
		data: { type: 'postgres', host: store.host, port: store.port, database: store.database, user: store.user, password: store.password, ssl: 'disable' },
	};
}

/**
 * @template T
 * @param {StoreConfig} store
 * @param {(store: ProdigyStore) => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withStore(store, fn) {
	const s = await library().openStore(store);
	try {
		return await fn(s);
	} finally {
		await s.close();
	}
}

/**
 * The demo datasets (news_ner with alice and bob, support_tickets_textcat) written into any store.
 * @param {StoreConfig} store
 */
async function seedDemo(store) {
	const { demoTasks } = require('../../scripts/demo-data');
	await withStore(store, async (s) => {
		for (const [dataset, byAnnotator] of Object.entries(demoTasks())) {
			await s.createDataset(dataset, { description: `demo ${dataset}` });
			for (const [annotator, tasks] of Object.entries(byAnnotator)) await s.addExamples(dataset, tasks, { session: annotator });
		}
	});
}

/**
 * Every example of a dataset: [{ linkId, task }] in link order.
 * @param {StoreConfig} store
 * @param {string} dataset
 */
async function examplesOf(store, dataset) {
	return withStore(store, async (s) => {
		/** @type {{ linkId: number, task: import('../../lib/index').Task }[]} */
		const out = [];
		for await (const record of s.getExamples(dataset)) out.push({ linkId: record.linkId, task: record.task });
		return out;
	});
}

/**
 * @param {StoreConfig} store
 * @param {string} dataset
 */
async function datasetMeta(store, dataset) {
	return withStore(store, async (s) => (await s.getDataset(dataset))?.meta ?? null);
}

/**
 * What `prodigy db-out` writes for a dataset, optionally as of a link id: the stored content bytes, one a line.
 * @param {StoreConfig} store
 * @param {string} dataset
 * @param {number} [upToLinkId]
 */
async function dbOut(store, dataset, upToLinkId) {
	return withStore(store, async (s) => {
		/** @type {string[]} */
		const lines = [];
		for await (const record of s.getExamples(dataset, upToLinkId ? { upToLinkId } : {})) lines.push(record.raw);
		return lines;
	});
}

module.exports = {
	REPO,
	PG,
	PRODIGY_CREDENTIAL,
	library,
	fixture,
	loadTemplate,
	nodeOf,
	withConfig,
	startRecorder,
	withPg,
	createPgDatabase,
	dropPgDatabase,
	sqliteStore,
	postgresStore,
	prodigyCredential,
	withStore,
	seedDemo,
	examplesOf,
	datasetMeta,
	dbOut,
};
