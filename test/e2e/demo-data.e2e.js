// The demo database `npm start` creates: written through the built library, realistic enough that stats,
// agreement and versions show something, and byte-identical on every run.
'use strict';
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DatabaseSync } = require('node:sqlite');
const { createDemoDatabase, ensureTemplateDatasets, NER_DATASET, TEXTCAT_DATASET, REVIEW_DATASET } = require('../../scripts/demo-data');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-demo-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * @param {string} file
 * @param {string} sql
 * @param {import('node:sqlite').SQLInputValue[]} params
 * @returns {Record<string, import('node:sqlite').SQLOutputValue>[]}
 */
function rows(file, sql, ...params) {
	const db = new DatabaseSync(file, { readOnly: true });
	try {
		return db.prepare(sql).all(...params);
	} finally {
		db.close();
	}
}

/**
 * The fields of a stored demo task that these tests read.
 * @typedef {object} DemoTask
 * @property {number} _input_hash
 * @property {number} _task_hash
 * @property {string} _annotator_id
 * @property {string} _session_id
 * @property {number} _timestamp
 * @property {string} text
 * @property {string} answer
 * @property {string[]} [accept] a choice task's chosen options
 * @property {Record<string, unknown>} meta
 * @property {{ start: number, end: number }[]} tokens
 * @property {{ start: number, end: number, token_start: number, token_end: number }[]} spans
 */

/**
 * @param {string} file
 * @param {string} session
 * @returns {DemoTask[]}
 */
function sessionTasks(file, session) {
	return rows(
		file,
		`SELECT e.content AS content FROM example e JOIN link l ON l.example_id = e.id JOIN dataset d ON d.id = l.dataset_id
		 WHERE d.name = ? ORDER BY l.id`,
		session,
	).map((r) => JSON.parse(Buffer.from(/** @type {Uint8Array} */ (r.content)).toString('utf8')));
}

test('two annotators per dataset, with session datasets, through the built library', async () => {
	const file = path.join(dir, 'a', 'prodigy.db');
	const result = await createDemoDatabase(file);
	assert.deepEqual(result.datasets, { [NER_DATASET]: 80, [TEXTCAT_DATASET]: 32, [REVIEW_DATASET]: 1 });
	const datasets = rows(file, 'SELECT name, session FROM dataset ORDER BY id').map((d) => [d.name, d.session]);
	assert.deepEqual(datasets, [
		[NER_DATASET, 0],
		[`${NER_DATASET}-alice`, 1],
		[`${NER_DATASET}-bob`, 1],
		[TEXTCAT_DATASET, 0],
		[`${TEXTCAT_DATASET}-alice`, 1],
		[`${TEXTCAT_DATASET}-bob`, 1],
		// Template 3's Prodigy Trigger watches it: it exists with one earlier accepted review (its test event).
		[REVIEW_DATASET, 0],
		[`${REVIEW_DATASET}-alex`, 1],
	]);
	assert.deepEqual(sessionTasks(file, REVIEW_DATASET).map((t) => [t.answer, t.accept, t.meta.prediction_id]), [['accept', ['BILLING'], 'P-0']]);
	const answers = rows(
		file,
		`SELECT json_extract(CAST(e.content AS TEXT), '$.answer') AS answer, COUNT(*) AS n FROM example e
		 JOIN link l ON l.example_id = e.id JOIN dataset d ON d.id = l.dataset_id WHERE d.name = ? GROUP BY 1 ORDER BY 1`,
		NER_DATASET,
	);
	assert.deepEqual(answers.map((a) => a.answer), ['accept', 'ignore', 'reject']);
	assert.ok(answers.every((a) => Number(a.n) > 0));
});

test('alice and bob overlap on 20 news inputs and disagree on some of them', () => {
	const file = path.join(dir, 'a', 'prodigy.db');
	const alice = sessionTasks(file, `${NER_DATASET}-alice`);
	const bob = sessionTasks(file, `${NER_DATASET}-bob`);
	assert.ok(alice.every((t) => t._annotator_id === `${NER_DATASET}-alice` && t._session_id === `${NER_DATASET}-alice`));
	const bobByInput = new Map(bob.map((t) => [t._input_hash, t]));
	const shared = alice.filter((t) => bobByInput.has(t._input_hash));
	assert.equal(shared.length, 20);
	const disagreements = shared.filter((t) => t._task_hash !== bobByInput.get(t._input_hash)?._task_hash);
	assert.ok(disagreements.length > 0 && disagreements.length < 20, `${disagreements.length} disagreements`);
	const timestamps = alice.map((t) => t._timestamp);
	assert.deepEqual([...timestamps].sort((a, b) => a - b), timestamps);
});

test('every NER span matches its text and tokens', () => {
	const file = path.join(dir, 'a', 'prodigy.db');
	for (const task of sessionTasks(file, NER_DATASET)) {
		for (const span of task.spans) {
			assert.equal(task.tokens[span.token_start].start, span.start, task.text);
			assert.equal(task.tokens[span.token_end].end, span.end, task.text);
			assert.match(task.text.slice(span.start, span.end), /^[A-Z0-9a-z]/);
		}
	}
});

test('the database is the same byte for byte on every run', async () => {
	const first = path.join(dir, 'a', 'prodigy.db');
	const second = path.join(dir, 'b', 'prodigy.db');
	await createDemoDatabase(second);
	/** @param {string} file */
	const dump = (file) => ({
		datasets: rows(file, 'SELECT id, name, created, hex(meta) AS meta, session FROM dataset ORDER BY id'),
		examples: rows(file, 'SELECT id, input_hash, task_hash, hex(content) AS content FROM example ORDER BY id'),
		links: rows(file, 'SELECT id, example_id, dataset_id FROM link ORDER BY id'),
	});
	assert.deepEqual(dump(second), dump(first));
});

test('a demo database kept from an earlier version gets the datasets the templates need, once', async () => {
	const file = path.join(dir, 'c', 'prodigy.db');
	await createDemoDatabase(file);
	const db = new DatabaseSync(file);
	try {
		// An earlier version made neither ticket_review nor its sample review (links first: foreign keys).
		const ids = db.prepare('SELECT id FROM dataset WHERE name IN (?, ?)').all(REVIEW_DATASET, `${REVIEW_DATASET}-alex`).map((r) => r.id);
		const examples = db.prepare(`SELECT example_id FROM link WHERE dataset_id IN (${ids.map(() => '?').join(',')})`).all(...ids);
		db.prepare(`DELETE FROM link WHERE dataset_id IN (${ids.map(() => '?').join(',')})`).run(...ids);
		for (const { example_id: id } of examples) db.prepare('DELETE FROM example WHERE id = ?').run(id);
		db.prepare(`DELETE FROM dataset WHERE id IN (${ids.map(() => '?').join(',')})`).run(...ids);
	} finally {
		db.close();
	}
	assert.deepEqual(await ensureTemplateDatasets(file), [REVIEW_DATASET]);
	assert.deepEqual(await ensureTemplateDatasets(file), []);
	assert.equal(rows(file, 'SELECT COUNT(*) AS n FROM dataset WHERE name = ?', REVIEW_DATASET)[0].n, 1);
	// The sample review comes with it, once.
	assert.deepEqual(sessionTasks(file, REVIEW_DATASET).map((t) => t.meta.prediction_id), ['P-0']);
});
