// Builds the demo Prodigy database that `npm start` wires into n8n: realistic, deterministic (seeded PRNG, fixed
// clock) and written through the pack's own built library, so the demo exercises the same code users run.
//
// news_ner: 60 news sentences with PERSON / ORG / GPE / DATE spans. alice annotated sentences 0-39 and bob 20-59,
// so 20 inputs were annotated twice and bob disagrees on a few of them: stats, agreement and versions all have
// something to show. support_tickets_textcat: help-desk tickets with a model's suggested category and score.
// ticket_review: where reviewers answer template 3's review queue (its Prodigy Trigger needs it to exist), with one
// earlier review in it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.join(__dirname, '..');
const NER_DATASET = 'news_ner';
const TEXTCAT_DATASET = 'support_tickets_textcat';
const REVIEW_DATASET = 'ticket_review';
// 2025-03-03 09:00:00 UTC: a fixed clock keeps every run byte-identical.
const START = Date.UTC(2025, 2, 3, 9, 0, 0) / 1000;

/** @typedef {import('../lib/index').ProdigyStore} ProdigyStore */
/** @typedef {typeof import('../lib/index')} Library the built dist/lib/index.js, typed from its sources */
/** @typedef {{ start: number, end: number, label: string }} Span */
/** @typedef {{ text: string, start: number, end: number, id: number, ws: boolean }} Token */
/** @typedef {{ text: string, tokens: Token[], spans: (Span & { token_start: number, token_end: number })[], meta: Record<string, string> }} NerInput */
/** @typedef {() => number} Random a number in [0, 1) */
/** @typedef {{ t: number }} Clock an annotator's clock (Unix seconds), moved on by every answer */

/**
 * mulberry32: tiny, seedable, good enough for sample data.
 * @param {number} seed
 * @returns {Random}
 */
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const PEOPLE = [
	'Angela Merkel', 'Tim Cook', 'Christine Lagarde', 'Satya Nadella', 'Jacinda Ardern', 'Elon Musk',
	'Ursula von der Leyen', 'Sundar Pichai', 'Mary Barra', 'Olaf Scholz', 'Lisa Su', 'Emmanuel Macron',
];
const ORGS = [
	'Apple', 'the European Central Bank', 'Microsoft', 'Siemens', 'General Motors', 'the World Health Organization',
	'Airbus', 'Nvidia', 'Deutsche Bahn', 'the United Nations', 'Spotify', 'Toyota',
];
const PLACES = [
	'Berlin', 'Paris', 'Tokyo', 'New York', 'Nairobi', 'Sydney', 'Toronto', 'Madrid', 'Seoul', 'Brussels',
	'Lagos', 'Lisbon',
];
const DATES = [
	'Monday', 'last week', 'on Friday', 'in March', 'this morning', 'in 2024', 'next year', 'on Tuesday',
	'earlier this month', 'in the third quarter',
];
// {P} person, {O} organisation, {G} place, {D} date.
const TEMPLATES = [
	'{P} said {O} would open a new office in {G} {D}.',
	'{O} shares rose after {P} announced record profits {D}.',
	'{P} met officials in {G} to discuss the deal with {O}.',
	'Protesters gathered outside the {G} headquarters of {O} {D}.',
	'{O} named {P} as its new chief executive {D}.',
	'Heavy rain delayed trains between {G} and {G2} {D}.',
	'{P} will visit {G} {D}, according to a statement from {O}.',
	'Analysts expect {O} to cut jobs in {G} {D}.',
	'{P} criticised {O} during a speech in {G}.',
	'The summit in {G} ended {D} without an agreement.',
];
/** @type {Record<string, string>} */
const LABEL_OF = { P: 'PERSON', O: 'ORG', G: 'GPE', G2: 'GPE', D: 'DATE' };

/**
 * Prodigy-style tokens: words and single punctuation marks, with character offsets and trailing whitespace.
 * @param {string} text
 */
function tokenize(text) {
	/** @type {Token[]} */
	const tokens = [];
	const re = /[A-Za-z0-9]+(?:['-][A-Za-z0-9]+)*|[^\sA-Za-z0-9]/g;
	let match;
	while ((match = re.exec(text)) !== null) {
		const start = match.index;
		const end = start + match[0].length;
		tokens.push({ text: match[0], start, end, id: tokens.length, ws: text[end] === ' ' });
	}
	return tokens;
}

/**
 * @param {Span[]} spans
 * @param {Token[]} tokens
 */
function withTokenIndices(spans, tokens) {
	return spans.map((span) => {
		const tokenStart = tokens.findIndex((t) => t.start === span.start);
		const tokenEnd = tokens.findIndex((t) => t.end === span.end);
		if (tokenStart < 0 || tokenEnd < 0) throw new Error(`span ${span.start}-${span.end} is not on token boundaries`);
		return { ...span, token_start: tokenStart, token_end: tokenEnd };
	});
}

/**
 * @param {string} template
 * @param {Random} rand
 */
function fillTemplate(template, rand) {
	const pick = (/** @type {string[]} */ list) => list[Math.floor(rand() * list.length)];
	let text = '';
	/** @type {Span[]} */
	const spans = [];
	const used = new Set();
	const parts = template.split(/(\{[A-Z0-9]+\})/);
	for (const part of parts) {
		const slot = /^\{([A-Z0-9]+)\}$/.exec(part);
		if (!slot) {
			text += part;
			continue;
		}
		const key = slot[1];
		const list = /** @type {Record<string, string[]>} */ ({ P: PEOPLE, O: ORGS, G: PLACES, G2: PLACES, D: DATES })[key];
		let value = pick(list);
		while (used.has(value)) value = pick(list);
		used.add(value);
		// "the United Nations": the article is not part of the entity, as in OntoNotes-style annotation.
		const article = value.startsWith('the ') ? 'the ' : '';
		const entity = value.slice(article.length);
		// "on Friday" / "in March": only the date expression itself is labelled.
		const prep = key === 'D' && /^(on|in) /.test(entity) ? entity.slice(0, 3) : '';
		const labelled = entity.slice(prep.length);
		if (text.length === 0 || text.endsWith('. ')) {
			// Sentence-initial article gets a capital letter.
			text += article ? 'The ' : '';
		} else {
			text += article;
		}
		text += prep;
		spans.push({ start: text.length, end: text.length + labelled.length, label: LABEL_OF[key] });
		text += labelled;
	}
	return { text, spans };
}

function nerInputs() {
	const rand = prng(20250303);
	const sources = ['reuters', 'ap', 'bbc', 'dpa'];
	const inputs = [];
	for (let i = 0; i < 60; i++) {
		const { text, spans } = fillTemplate(TEMPLATES[i % TEMPLATES.length], rand);
		const tokens = tokenize(text);
		inputs.push({
			text,
			tokens,
			spans: withTokenIndices(spans, tokens),
			meta: { source: sources[i % sources.length], article_id: `art-${String(1000 + i)}` },
		});
	}
	return inputs;
}

/**
 * @param {NerInput} input
 * @param {number} index
 * @param {string} annotator
 * @param {Random} rand
 * @param {Clock} clock
 */
function annotateNer(input, index, annotator, rand, clock) {
	const session = `${NER_DATASET}-${annotator}`;
	let spans = input.spans.map((s) => ({ ...s }));
	// bob labels some places as organisations and skips some dates: the disagreements agreement reports find.
	if (annotator === 'bob' && index >= 20 && index < 40 && index % 4 === 1) {
		spans = spans.map((s) => (s.label === 'GPE' ? { ...s, label: 'ORG' } : s));
	}
	if (annotator === 'bob' && index >= 20 && index < 40 && index % 5 === 3) {
		spans = spans.filter((s) => s.label !== 'DATE');
	}
	const roll = rand();
	const answer = roll < 0.78 ? 'accept' : roll < 0.92 ? 'reject' : 'ignore';
	clock.t += 20 + Math.floor(rand() * 70);
	/** @type {import('../lib/index').Task} */
	const task = {
		text: input.text,
		tokens: input.tokens,
		spans,
		meta: input.meta,
		_view_id: 'ner_manual',
		answer,
		_timestamp: clock.t,
		_annotator_id: session,
		_session_id: session,
	};
	if (answer === 'reject' && rand() < 0.5) task.flagged = true;
	return task;
}

const TICKET_CATEGORIES = [
	{ id: 'BILLING', text: 'Billing' },
	{ id: 'BUG', text: 'Bug report' },
	{ id: 'ACCOUNT', text: 'Account access' },
	{ id: 'FEATURE', text: 'Feature request' },
];
const TICKETS = [
	['I was charged twice for my March invoice.', 'BILLING'],
	['The export button does nothing in Firefox.', 'BUG'],
	['Please reset my password, the link expired.', 'ACCOUNT'],
	['Could you add dark mode to the dashboard?', 'FEATURE'],
	['Why did my subscription price go up?', 'BILLING'],
	['The app crashes when I upload a PNG larger than 5 MB.', 'BUG'],
	['I cannot log in after enabling two-factor authentication.', 'ACCOUNT'],
	['It would help to schedule reports weekly.', 'FEATURE'],
	['Refund request for the duplicate payment on order 4471.', 'BILLING'],
	['Search results are empty although the items exist.', 'BUG'],
	['My account was locked after three attempts.', 'ACCOUNT'],
	['Please support SSO with Okta.', 'FEATURE'],
	['The VAT number is missing on my receipt.', 'BILLING'],
	['Notifications arrive twice on Android.', 'BUG'],
	['How do I transfer ownership of the workspace?', 'ACCOUNT'],
	['An API endpoint for bulk deletes would be great.', 'FEATURE'],
	['I want to switch from monthly to annual billing.', 'BILLING'],
	['Charts render blank after the latest update.', 'BUG'],
	['I no longer have access to the email on my account.', 'ACCOUNT'],
	['Can we get a CSV import for contacts?', 'FEATURE'],
	['The trial ended but my card was never charged, is that right?', 'BILLING'],
	['Timezone is wrong on all exported timestamps.', 'BUG'],
	['Please delete my account and all data.', 'ACCOUNT'],
	['Keyboard shortcuts for the editor, please.', 'FEATURE'],
];

/**
 * @param {string} annotator
 * @param {number} from first TICKETS index
 * @param {number} to TICKETS index after the last
 * @param {Random} rand
 * @param {Clock} clock
 */
function ticketTasks(annotator, from, to, rand, clock) {
	const session = `${TEXTCAT_DATASET}-${annotator}`;
	const tasks = [];
	for (let i = from; i < to; i++) {
		const [text, gold] = TICKETS[i];
		// The model's guess is right most of the time; its score is what a confidence filter routes on.
		const modelRight = rand() < 0.75;
		const suggestion = modelRight ? gold : TICKET_CATEGORIES[(TICKET_CATEGORIES.findIndex((c) => c.id === gold) + 1) % 4].id;
		const score = Math.round((modelRight ? 0.62 + rand() * 0.37 : 0.3 + rand() * 0.35) * 1000) / 1000;
		// bob files account questions under billing on two tickets both of them saw.
		const chosen = annotator === 'bob' && gold === 'ACCOUNT' && i < 16 ? 'BILLING' : gold;
		const roll = rand();
		clock.t += 15 + Math.floor(rand() * 45);
		tasks.push({
			text,
			options: TICKET_CATEGORIES,
			accept: roll < 0.9 ? [chosen] : [],
			meta: { ticket_id: `T-${String(5200 + i)}`, channel: i % 3 === 0 ? 'email' : 'web', suggested: suggestion, score },
			_view_id: 'choice',
			answer: roll < 0.9 ? 'accept' : 'ignore',
			_timestamp: clock.t,
			_annotator_id: session,
			_session_id: session,
		});
	}
	return tasks;
}

/** Loads the built library (dist/lib/index.js): the demo must use what `npm run build` produced. */
/** @returns {Library} */
function loadLibrary() {
	const entry = path.join(REPO, 'dist', 'lib', 'index.js');
	if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
	return require(entry);
}

/** The demo tasks, grouped by dataset and annotator, without touching a database (deterministic). */
function demoTasks() {
	const inputs = nerInputs();
	const rand = prng(7);
	const aliceClock = { t: START };
	const bobClock = { t: START + 86400 + 3600 };
	const ner = {
		alice: inputs.slice(0, 40).map((input, i) => annotateNer(input, i, 'alice', rand, aliceClock)),
		bob: inputs.slice(20, 60).map((input, i) => annotateNer(input, i + 20, 'bob', rand, bobClock)),
	};
	const ticketClock = { t: START + 2 * 86400 };
	const textcat = {
		alice: ticketTasks('alice', 0, 16, rand, ticketClock),
		bob: ticketTasks('bob', 8, 24, rand, ticketClock),
	};
	return { [NER_DATASET]: ner, [TEXTCAT_DATASET]: textcat };
}

/** @type {Record<string, import('../lib/index').JsonObject>} */
const DATASET_META = {
	[NER_DATASET]: {
		description: 'Named entities in news sentences (demo data of n8n-nodes-prodigy)',
		author: 'newsroom-ml',
		recipe: 'ner.manual',
		labels: ['PERSON', 'ORG', 'GPE', 'DATE'],
	},
	[TEXTCAT_DATASET]: {
		description: 'Support tickets by category (demo data of n8n-nodes-prodigy)',
		author: 'support-ml',
		recipe: 'textcat.manual',
		labels: TICKET_CATEGORIES.map((c) => c.id),
	},
	[REVIEW_DATASET]: {
		description: 'Reviewed ticket labels: answers to the review queue of template 3 (demo data of n8n-nodes-prodigy)',
		author: 'support-ml',
		recipe: 'textcat.manual',
		labels: TICKET_CATEGORIES.map((c) => c.id),
	},
};

// Datasets the templates watch before anything is in them: a Prodigy Trigger does not start on a dataset that does
// not exist (template 3 watches ticket_review), so they are created up front, as a project lead would.
const TEMPLATE_DATASETS = [REVIEW_DATASET];

// One review alex saved the day before the demo starts: template 3's Prodigy Trigger takes the latest accepted review
// as its test event, so the template's default Execute button (n8n picks that trigger) has something to send back.
const SAMPLE_REVIEW = {
	text: 'My card was charged but the order shows as unpaid.',
	options: TICKET_CATEGORIES,
	accept: ['BILLING'],
	meta: { prediction_id: 'P-0', model: 'ticket-clf-3', suggested: 'ACCOUNT', score: 0.04 },
	answer: 'accept',
	_view_id: 'choice',
	_session_id: `${REVIEW_DATASET}-alex`,
	_annotator_id: `${REVIEW_DATASET}-alex`,
	_timestamp: START - 3600,
};

/** Creates the TEMPLATE_DATASETS missing in an open store (and the sample review in an empty ticket_review). */
/** @param {ProdigyStore} store */
async function createTemplateDatasets(store) {
	const created = [];
	for (const dataset of TEMPLATE_DATASETS) {
		if (await store.getDataset(dataset)) continue;
		await store.createDataset(dataset, DATASET_META[dataset], { now: new Date((START - 86400) * 1000) });
		created.push(dataset);
	}
	if ((await store.countExamples(REVIEW_DATASET)) === 0) {
		await store.addExamples(REVIEW_DATASET, [SAMPLE_REVIEW], { session: 'alex', now: new Date((START - 3660) * 1000) });
	}
	return created;
}

/**
 * Adds the datasets the templates need to a demo database made by an earlier version of this script (kept across
 * `npm start` runs). Returns the names created.
 * @param {string} dbPath
 * @param {{ library?: Library }} [options]
 */
async function ensureTemplateDatasets(dbPath, { library } = {}) {
	const lib = library ?? loadLibrary();
	const store = await lib.openStore({ type: 'sqlite', path: path.resolve(dbPath) });
	try {
		return await createTemplateDatasets(store);
	} finally {
		await store.close();
	}
}

/**
 * Creates a fresh demo Prodigy SQLite database at `dbPath` (an existing file there is replaced) and returns
 * { path, datasets: { name: examples added } }. `library` defaults to the built dist/lib/index.js.
 * @param {string} dbPath
 * @param {{ library?: Library }} [options]
 */
async function createDemoDatabase(dbPath, { library } = {}) {
	const lib = library ?? loadLibrary();
	const file = path.resolve(dbPath);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
	const store = await lib.openStore({ type: 'sqlite', path: file });
	/** @type {Record<string, number>} */
	const summary = {};
	try {
		const tasks = demoTasks();
		for (const [dataset, byAnnotator] of Object.entries(tasks)) {
			// Created the day before the first annotation, as a project lead would set it up.
			await store.createDataset(dataset, DATASET_META[dataset], { now: new Date((START - 86400) * 1000) });
			summary[dataset] = 0;
			for (const [annotator, list] of Object.entries(byAnnotator)) {
				const result = await store.addExamples(dataset, list, {
					session: annotator,
					now: new Date((Number(list[0]._timestamp) - 60) * 1000),
				});
				summary[dataset] += result.added;
			}
		}
		await createTemplateDatasets(store);
		summary[REVIEW_DATASET] = 1;
	} finally {
		await store.close();
	}
	return { path: file, datasets: summary };
}

module.exports = { createDemoDatabase, ensureTemplateDatasets, demoTasks, NER_DATASET, TEXTCAT_DATASET, REVIEW_DATASET };

if (require.main === module) {
	const target = process.argv[2];
	if (!target) {
		console.error('usage: node scripts/demo-data.js <path/to/prodigy.db>');
		process.exit(2);
	}
	createDemoDatabase(target).then(
		(result) => console.log(JSON.stringify(result, null, 2)),
		(error) => {
			console.error(error.stack || error.message);
			process.exit(1);
		},
	);
}
