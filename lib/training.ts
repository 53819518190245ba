// Prodigy annotations → training data for trainers outside Prodigy, the way Prodigy's `data-to-spacy` prepares
// them: the answers to one input (same `_input_hash`) become one example, accepted answers are merged, rejected and
// ignored ones dropped (a rejected binary text-classification answer still says "not this label"), and examples
// are split into train and dev by their input hash. Token tags follow spaCy's `offsets_to_biluo_tags`, converted to
// IOB2 like spaCy's `biluo_to_iob`. Plain functions over parsed tasks: no database, no n8n.
import { murmurhash3_32 } from './murmurhash';
import { ProdigyInputError } from './errors';
import { compareCodePoints, toPlainJson } from './json';
import type { JsonObject, Task } from './store/types';

export type TrainingFormat = 'tokens' | 'textcat';
/** `label`: one positive label per line; `labels`: every positive label; `cats`: spaCy's `{label: 1.0 | 0.0}`. */
export type TextcatShape = 'label' | 'labels' | 'cats';

/** One stored answer: a record of the dataset as the store reads it. */
export interface Answer {
	linkId: number;
	inputHash: number;
	taskHash: number;
	task: Task;
}

export interface Token {
	text: string;
	start: number;
	/** Exclusive character offset. */
	end: number;
}

export interface CharSpan {
	start: number;
	/** Exclusive character offset. */
	end: number;
	label: string;
	/** Inclusive token indices, when the task carries them. */
	tokenStart?: number;
	tokenEnd?: number;
}

/** The merged annotation of one input. */
export interface TrainingExample {
	inputHash: number;
	text: string | undefined;
	/** The task's own tokens; undefined when no answer carried any (the text is then split on whitespace). */
	tokens: Token[] | undefined;
	spans: CharSpan[];
	/** Text-classification labels: 1 = the label applies, 0 = it does not. */
	cats: Map<string, number>;
	/** How many stored answers were merged into this example. */
	answers: number;
}

/** Why an input was left out of the training file: the answers disagree, or one answer overlaps itself. */
export type ConflictReason = 'spans' | 'labels' | 'overlap';

export interface ConflictAnswer {
	linkId: number;
	taskHash: number;
	annotator: string | null;
	answer: string | null;
	spans?: CharSpan[];
	accept?: unknown;
	label?: string;
}

export interface Conflict {
	inputHash: number;
	text: string | null;
	reason: ConflictReason;
	/** What disagrees, in words (e.g. `spans 0-5 ORG and 0-9 PERSON overlap`). */
	detail: string;
	annotators: string[];
	answers: ConflictAnswer[];
}

/** What happened to the answers of one input. */
export type MergeOutcome =
	| { kind: 'example'; example: TrainingExample }
	| { kind: 'conflict'; conflict: Conflict }
	/** No accepted answer (all rejected / ignored / unanswered): nothing to train on. */
	| { kind: 'none' };

/** An answer that cannot become training data as asked (misaligned span, bad field): the export fails. */
export class TrainingDataError extends ProdigyInputError {}

// ---------------------------------------------------------------------------------------------------------------
// Reading answers

function annotatorOf(task: JsonObject): string | null {
	const annotator = task._annotator_id ?? task._session_id;
	return typeof annotator === 'string' ? annotator : null;
}

function describeAnswer(answer: Answer): string {
	return `example with _input_hash ${answer.inputHash} and _task_hash ${answer.taskHash} (link ${answer.linkId})`;
}

function integer(value: unknown, what: string, answer: Answer): number {
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
		throw new TrainingDataError(`The ${describeAnswer(answer)} has ${what} ${JSON.stringify(value)}, not a whole number`, {
			hint: 'Fix the example in Prodigy (or delete it) and export again.',
		});
	}
	return value;
}

/** The task's `tokens`, checked: each needs `text`, `start` and `end`. Undefined when the task has none. */
export function taskTokens(answer: Answer, task: JsonObject = toPlainJson(answer.task) as JsonObject): Token[] | undefined {
	if (!Array.isArray(task.tokens) || task.tokens.length === 0) return undefined;
	return task.tokens.map((token: unknown, i) => {
		const object = (typeof token === 'object' && token !== null ? token : {}) as JsonObject;
		const start = integer(object.start, `tokens[${i}].start`, answer);
		const end = integer(object.end, `tokens[${i}].end`, answer);
		const text = typeof object.text === 'string' ? object.text : undefined;
		if (text === undefined) {
			throw new TrainingDataError(`The ${describeAnswer(answer)} has a token ${i} without "text"`, {
				hint: 'Prodigy tokens look like {"text": "Berlin", "start": 10, "end": 16, "id": 2}.',
			});
		}
		return { text, start, end };
	});
}

/** The task's `spans` (character offsets); spans without a string label keep an empty one (spaCy: tokens → O). */
export function taskSpans(answer: Answer, task: JsonObject = toPlainJson(answer.task) as JsonObject): CharSpan[] {
	if (!Array.isArray(task.spans)) return [];
	return task.spans.map((span: unknown, i) => {
		const object = (typeof span === 'object' && span !== null ? span : {}) as JsonObject;
		const result: CharSpan = {
			start: integer(object.start, `spans[${i}].start`, answer),
			end: integer(object.end, `spans[${i}].end`, answer),
			label: typeof object.label === 'string' ? object.label : '',
		};
		if (result.end < result.start) {
			throw new TrainingDataError(`The ${describeAnswer(answer)} has a span ${i} ending (${result.end}) before it starts (${result.start})`, {
				hint: 'Fix the example in Prodigy (or delete it) and export again.',
			});
		}
		if (object.token_start !== undefined) result.tokenStart = integer(object.token_start, `spans[${i}].token_start`, answer);
		if (object.token_end !== undefined) result.tokenEnd = integer(object.token_end, `spans[${i}].token_end`, answer);
		return result;
	});
}

function isChoiceTask(task: JsonObject): boolean {
	return Array.isArray(task.options);
}

/** A binary classification answer: a top-level `label` the annotator accepted or rejected (textcat.teach, classification view). */
function binaryLabel(task: JsonObject): string | undefined {
	return typeof task.label === 'string' && !Array.isArray(task.spans) && !isChoiceTask(task) ? task.label : undefined;
}

/**
 * The text-classification labels one answer states: for a choice task the chosen options are 1 and the others 0;
 * for a binary task its `label` is 1 when accepted and 0 when rejected. Undefined when it states none.
 */
function answerCats(task: JsonObject): Map<string, number> | undefined {
	if (task.answer === 'accept' && isChoiceTask(task)) {
		const chosen = new Set((Array.isArray(task.accept) ? task.accept : []).map((id) => String(id)));
		const cats = new Map<string, number>();
		for (const option of task.options as unknown[]) {
			const id = (option as JsonObject | null)?.id;
			if (id !== undefined && id !== null) cats.set(String(id), chosen.has(String(id)) ? 1 : 0);
		}
		return cats;
	}
	const label = binaryLabel(task);
	if (label !== undefined && (task.answer === 'accept' || task.answer === 'reject')) return new Map([[label, task.answer === 'accept' ? 1 : 0]]);
	return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Merging the answers of one input

function spanText(span: CharSpan): string {
	return `${span.start}-${span.end} ${span.label || '(no label)'}`;
}

function sameSpan(a: CharSpan, b: CharSpan): boolean {
	return a.start === b.start && a.end === b.end && a.label === b.label;
}

function overlap(a: CharSpan, b: CharSpan): boolean {
	return Math.max(a.start, b.start) < Math.min(a.end, b.end);
}

function conflictAnswer(answer: Answer, task: JsonObject): ConflictAnswer {
	const entry: ConflictAnswer = {
		linkId: answer.linkId,
		taskHash: answer.taskHash,
		annotator: annotatorOf(task),
		answer: typeof task.answer === 'string' ? task.answer : null,
	};
	if (Array.isArray(task.spans)) entry.spans = taskSpans(answer, task);
	if (task.accept !== undefined) entry.accept = task.accept;
	if (typeof task.label === 'string') entry.label = task.label;
	return entry;
}

/**
 * Merges the answers to one input (all with the same input hash, in link order) as `data-to-spacy` does: accepted
 * answers' spans are united (a span several annotators marked counts once), text-classification labels are united
 * per label, rejected and ignored answers are dropped except a rejected binary label (which says "not this label").
 * Answers that disagree — overlapping different spans, or one label both 1 and 0 — are never resolved: the input
 * becomes a conflict listing the answers involved. A single answer whose own spans overlap is a conflict too (spaCy
 * refuses overlapping entities).
 */
export function mergeAnswers(answers: readonly Answer[]): MergeOutcome {
	if (answers.length === 0) return { kind: 'none' };
	const inputHash = answers[0].inputHash;
	const plain = answers.map((answer) => toPlainJson(answer.task) as JsonObject);
	const text = plain.map((task) => task.text).find((value): value is string => typeof value === 'string');
	const conflict = (reason: ConflictReason, detail: string, involved: number[]): MergeOutcome => {
		const entries = involved.map((i) => conflictAnswer(answers[i], plain[i]));
		const annotators = [...new Set(entries.map((entry) => entry.annotator).filter((name): name is string => name !== null))];
		return { kind: 'conflict', conflict: { inputHash, text: text ?? null, reason, detail, annotators, answers: entries } };
	};

	const spans: Array<{ span: CharSpan; from: number }> = [];
	const cats = new Map<string, { value: number; from: number[] }>();
	let tokens: Token[] | undefined;
	let used = 0;
	for (let i = 0; i < answers.length; i++) {
		const task = plain[i];
		const stated = answerCats(task);
		if (task.answer !== 'accept' && stated === undefined) continue;
		used++;
		if (task.answer === 'accept') {
			tokens ??= taskTokens(answers[i], task);
			const own = taskSpans(answers[i], task);
			for (let a = 0; a < own.length; a++) {
				for (let b = a + 1; b < own.length; b++) {
					if (overlap(own[a], own[b]) && !sameSpan(own[a], own[b])) {
						return conflict('overlap', `spans ${spanText(own[a])} and ${spanText(own[b])} of one answer overlap`, [i]);
					}
				}
			}
			for (const span of own) {
				if (spans.some((seen) => sameSpan(seen.span, span))) continue;
				const clash = spans.find((seen) => overlap(seen.span, span));
				if (clash) return conflict('spans', `spans ${spanText(clash.span)} and ${spanText(span)} overlap`, [clash.from, i]);
				spans.push({ span, from: i });
			}
		}
		for (const [label, value] of stated ?? []) {
			const seen = cats.get(label);
			if (!seen) cats.set(label, { value, from: [i] });
			else if (seen.value === value) seen.from.push(i);
			else return conflict('labels', `label ${label} is both ${seen.value === 1 ? 'accepted' : 'rejected'} and ${value === 1 ? 'accepted' : 'rejected'}`, [...seen.from, i]);
		}
	}
	if (used === 0) return { kind: 'none' };
	// Sorted so that the merged example does not depend on which annotator came first.
	const merged = spans.map((entry) => entry.span).sort((a, b) => a.start - b.start || a.end - b.end);
	const catValues = new Map([...cats.entries()].sort(([a], [b]) => compareCodePoints(a, b)).map(([label, entry]) => [label, entry.value]));
	return { kind: 'example', example: { inputHash, text, tokens, spans: merged, cats: catValues, answers: used } };
}

/** Groups records that arrive ordered by input hash into the answers of one input at a time. */
export async function* groupByInput<T extends { inputHash: number }>(records: AsyncIterable<T>): AsyncGenerator<T[]> {
	let group: T[] = [];
	for await (const record of records) {
		if (group.length > 0 && group[0].inputHash !== record.inputHash) {
			yield group;
			group = [];
		}
		group.push(record);
	}
	if (group.length > 0) yield group;
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens and IOB2 tags

/** The text split on whitespace, with offsets: the tokens used when a task carries none. */
export function whitespaceTokens(text: string): Token[] {
	const tokens: Token[] = [];
	for (const match of text.matchAll(/\S+/gu)) tokens.push({ text: match[0], start: match.index, end: match.index + match[0].length });
	return tokens;
}

/**
 * spaCy's `offsets_to_biluo_tags(doc, entities, missing="O")` over `tokens`: a span must start where a token starts
 * and end where a token ends; a span without a label marks its tokens O; tokens no span touches are O; tokens of a
 * span that does not fall on token boundaries are "-" (spaCy's missing value). Overlapping labelled spans throw,
 * as spaCy does (E103). Token lengths are end − start, the token's extent in the text.
 */
export function offsetsToBiluoTags(tokens: readonly Token[], spans: readonly CharSpan[]): string[] {
	const starts = new Map<number, number>();
	const ends = new Map<number, number>();
	tokens.forEach((token, i) => {
		starts.set(token.start, i);
		ends.set(token.end, i);
	});
	const tags = tokens.map(() => '-');
	const claimed: CharSpan[] = [];
	for (const span of spans) {
		if (!span.label) {
			for (const [start, i] of starts) if (start >= span.start && start < span.end) tags[i] = 'O';
			continue;
		}
		const clash = claimed.find((other) => overlap(other, span));
		if (clash) throw new RangeError(`Spans ${spanText(clash)} and ${spanText(span)} overlap`);
		claimed.push(span);
		const first = starts.get(span.start);
		const last = ends.get(span.end);
		if (first === undefined || last === undefined) continue;
		if (first === last) {
			tags[first] = `U-${span.label}`;
		} else {
			tags[first] = `B-${span.label}`;
			for (let i = first + 1; i < last; i++) tags[i] = `I-${span.label}`;
			tags[last] = `L-${span.label}`;
		}
	}
	tokens.forEach((token, i) => {
		// spaCy looks at the token's characters: an empty token has none, so no span claims it.
		if (token.end <= token.start || !spans.some((span) => span.end > token.start && span.start < token.end)) tags[i] = 'O';
	});
	return tags;
}

/** spaCy's `biluo_to_iob`: U → B and L → I, so every entity starts with B (IOB2). */
export function biluoToIob(tags: readonly string[]): string[] {
	return tags.map((tag) => tag.replace(/^U-/, 'B-').replace(/^L-/, 'I-'));
}

export interface TokensLine {
	tokens: string[];
	ner_tags: string[];
}

/**
 * One example as `{"tokens": [...], "ner_tags": [...]}` (IOB2). Tokens are the task's own, else the text split on
 * whitespace (`whitespace` tells which). A span that does not start and end on token boundaries, or whose
 * `token_start` / `token_end` point elsewhere than its characters, is an error naming the example: the tags are
 * never shifted to fit. Undefined when the example has neither tokens nor text.
 */
export function toTokensLine(example: TrainingExample): { line: TokensLine; whitespace: boolean } | undefined {
	const whitespace = example.tokens === undefined;
	const tokens = example.tokens ?? (example.text === undefined ? undefined : whitespaceTokens(example.text));
	if (tokens === undefined) return undefined;
	const name = `example with _input_hash ${example.inputHash}`;
	let biluo: string[];
	try {
		biluo = offsetsToBiluoTags(tokens, example.spans);
	} catch (error) {
		if (!(error instanceof RangeError)) throw error;
		throw new TrainingDataError(`The ${name}: ${error.message}`, { hint: 'Resolve the overlap in Prodigy (or delete the example) and export again.' });
	}
	for (const span of example.spans) {
		const first = tokens.findIndex((token) => token.start === span.start);
		const last = tokens.findIndex((token) => token.end === span.end);
		const where = `span ${spanText(span)}${example.text === undefined ? '' : ` ("${example.text.slice(span.start, span.end)}")`}`;
		if (span.label && (first === -1 || last === -1)) {
			throw new TrainingDataError(`The ${name}: ${where} does not fall on ${whitespace ? 'whitespace ' : ''}token boundaries`, {
				hint: whitespace
					? 'The example has no "tokens", so its text was split on whitespace. Add tokens (e.g. with Prodigy\'s ner.manual) or fix the span.'
					: 'Fix the span in Prodigy so it starts and ends on token boundaries (or delete the example) and export again.',
			});
		}
		if (!whitespace && ((span.tokenStart !== undefined && span.tokenStart !== first) || (span.tokenEnd !== undefined && span.tokenEnd !== last))) {
			throw new TrainingDataError(
				`The ${name}: ${where} says tokens ${span.tokenStart ?? '?'}-${span.tokenEnd ?? '?'} but its characters are tokens ${first}-${last}`,
				{ hint: 'The span and the tokens of this example disagree; fix it in Prodigy (or delete it) and export again.' },
			);
		}
	}
	return { line: { tokens: tokens.map((token) => token.text), ner_tags: biluoToIob(biluo) }, whitespace };
}

// ---------------------------------------------------------------------------------------------------------------
// Text classification

/**
 * One example as a text-classification line: `{"text", "label"}` (exactly one label applies; none → undefined,
 * several → error naming the example), `{"text", "labels"}` (every label that applies, possibly none) or spaCy's
 * `{"text", "cats"}` with 1.0 / 0.0 for every label the answers decided. Undefined without text or labels.
 */
export function toTextcatLine(example: TrainingExample, shape: TextcatShape): string | undefined {
	if (example.text === undefined || example.cats.size === 0) return undefined;
	const text = JSON.stringify(example.text);
	const positive = [...example.cats].filter(([, value]) => value === 1).map(([label]) => label);
	if (shape === 'cats') {
		// Written as 1.0 / 0.0: spaCy's cats are floats, and the shape the issue tracker and spaCy docs show.
		const cats = [...example.cats].map(([label, value]) => `${JSON.stringify(label)}:${value === 1 ? '1.0' : '0.0'}`);
		return `{"text":${text},"cats":{${cats.join(',')}}}`;
	}
	if (shape === 'labels') return `{"text":${text},"labels":${JSON.stringify(positive)}}`;
	if (positive.length === 0) return undefined;
	if (positive.length > 1) {
		throw new TrainingDataError(
			`The example with _input_hash ${example.inputHash} has ${positive.length} labels (${positive.join(', ')}), but the shape is Single Label`,
			{ hint: 'Choose the Multi Label or Cats shape for multi-label data.' },
		);
	}
	return `{"text":${text},"label":${JSON.stringify(positive[0])}}`;
}

/** The labels a line counts for, for the per-label counts of each side. */
export function exampleLabels(example: TrainingExample, format: TrainingFormat): string[] {
	if (format === 'textcat') return [...example.cats].filter(([, value]) => value === 1).map(([label]) => label);
	return example.spans.filter((span) => span.label).map((span) => span.label);
}

// ---------------------------------------------------------------------------------------------------------------
// The train / dev split

/** Buckets of the split: a dev share is honoured to 0.01 %. */
const SPLIT_BUCKETS = 10_000;

/** Largest dev share (percent): beyond half, "dev" would be the training set. */
export const MAX_DEV_SHARE = 50;

export function validateDevShare(percent: number): number {
	if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > MAX_DEV_SHARE) {
		throw new ProdigyInputError(`Dev share must be between 0 and ${MAX_DEV_SHARE} (percent), got ${String(percent)}`);
	}
	return percent;
}

/**
 * Whether an input goes to the dev side. Decided by the input hash alone, never by position or chance, so one input
 * stays on its side across versions and re-exports, and raising the share only moves inputs from train to dev. The
 * input hash is rehashed (MurmurHash3 of its decimal text) so that the split does not follow any pattern the raw
 * hash values may have.
 */
export function isDevInput(inputHash: number, devSharePercent: number): boolean {
	if (devSharePercent <= 0) return false;
	const bucket = (murmurhash3_32(String(inputHash)) >>> 0) % SPLIT_BUCKETS;
	return bucket < Math.round((devSharePercent / 100) * SPLIT_BUCKETS);
}

// ---------------------------------------------------------------------------------------------------------------
// The export: answers in, lines for the train and dev files out

export interface TrainingExportOptions {
	format: TrainingFormat;
	/** Merge the answers to one input into one example (the records must then arrive grouped by input hash). */
	merge: boolean;
	textcatShape: TextcatShape;
	/** Percent of inputs on the dev side (0–50). */
	devShare: number;
	/** Conflicts listed in full; the rest are only counted (default 1,000). */
	conflictLimit?: number;
}

export interface SideSummary {
	/** Lines written. */
	examples: number;
	/** Lines per label: entity labels (a line counts once per label) or the labels that apply. */
	labels: Record<string, number>;
}

export interface TrainingSummary {
	train: SideSummary;
	dev: SideSummary;
	/** Stored answers read. */
	answers: number;
	/** Inputs with no accepted answer (all rejected, ignored or unanswered): nothing to train on. */
	withoutAcceptedAnswer: number;
	/** Examples with no line in this format: no text / tokens, no label decided, or (Single Label) no label applies. */
	withoutLine: number;
	/** Examples whose text was split on whitespace because no answer carried tokens. */
	whitespaceTokenized: number;
	conflictCount: number;
	/** The first `conflictLimit` conflicts, in input-hash order when merging. */
	conflicts: Conflict[];
}

export function emptyTrainingSummary(): TrainingSummary {
	return {
		train: { examples: 0, labels: {} },
		dev: { examples: 0, labels: {} },
		answers: 0,
		withoutAcceptedAnswer: 0,
		withoutLine: 0,
		whitespaceTokenized: 0,
		conflictCount: 0,
		conflicts: [],
	};
}

const DEFAULT_CONFLICT_LIMIT = 1000;

/**
 * The lines of the training files, each with its side, from the dataset's answers. With `merge`, `records` must be
 * ordered by input hash (Store.getExamplesByInput): one input's answers are held at a time, never the dataset.
 * Conflicting inputs are left out and listed in `summary`. Counts per label are sorted by label at the end.
 */
export async function* trainingLines(
	records: AsyncIterable<Answer>,
	options: TrainingExportOptions,
	summary: TrainingSummary,
): AsyncGenerator<{ dev: boolean; line: string }> {
	const limit = options.conflictLimit ?? DEFAULT_CONFLICT_LIMIT;
	const groups = options.merge ? groupByInput(records) : singles(records);
	for await (const hashGroup of groups) {
		summary.answers += hashGroup.length;
		for (const group of byInputContent(hashGroup)) yield* linesOf(group, options, summary, limit);
	}
	for (const side of [summary.train, summary.dev]) {
		side.labels = Object.fromEntries(Object.entries(side.labels).sort(([a], [b]) => compareCodePoints(a, b)));
	}
}

/**
 * The answers of one input hash split by their actual input: input hashes are 32 bits, so a dataset of a million
 * inputs has about a hundred pairs of different texts sharing one (birthday bound). Those are different examples,
 * never merged. Groups in order of first appearance.
 */
export function byInputContent<T extends { task: Task }>(answers: readonly T[]): T[][] {
	if (answers.length < 2) return [answers as T[]];
	const groups = new Map<string, T[]>();
	for (const answer of answers) {
		const task = answer.task;
		const key = typeof task.text === 'string' ? `text ${task.text}` : JSON.stringify(toPlainJson([task.image, task.html, task.input]));
		const group = groups.get(key);
		if (group) group.push(answer);
		else groups.set(key, [answer]);
	}
	return [...groups.values()];
}

/** The line (if any) the answers to one input give, counted on its side; conflicts and skips counted. */
function* linesOf(
	group: Answer[],
	options: TrainingExportOptions,
	summary: TrainingSummary,
	limit: number,
): Generator<{ dev: boolean; line: string }> {
	const outcome = mergeAnswers(group);
	if (outcome.kind === 'none') {
		summary.withoutAcceptedAnswer++;
		return;
	}
	if (outcome.kind === 'conflict') {
		summary.conflictCount++;
		if (summary.conflicts.length < limit) summary.conflicts.push(outcome.conflict);
		return;
	}
	const merged = outcome.example;
	let line: string | undefined;
	if (options.format === 'tokens') {
		const tokens = toTokensLine(merged);
		if (tokens?.whitespace) summary.whitespaceTokenized++;
		line = tokens === undefined ? undefined : JSON.stringify(tokens.line);
	} else {
		line = toTextcatLine(merged, options.textcatShape);
	}
	if (line === undefined) {
		summary.withoutLine++;
		return;
	}
	const dev = isDevInput(merged.inputHash, options.devShare);
	const side = dev ? summary.dev : summary.train;
	side.examples++;
	for (const label of new Set(exampleLabels(merged, options.format))) side.labels[label] = (side.labels[label] ?? 0) + 1;
	yield { dev, line: `${line}\n` };
}

/** Prodigy JSONL split into train and dev: each stored example byte for byte as stored, on its input's side. */
export async function* storedLines(
	records: AsyncIterable<{ inputHash: number; raw: string }>,
	devShare: number,
	summary: TrainingSummary,
): AsyncGenerator<{ dev: boolean; line: string }> {
	for await (const record of records) {
		const dev = isDevInput(record.inputHash, devShare);
		(dev ? summary.dev : summary.train).examples++;
		yield { dev, line: `${record.raw}\n` };
	}
}

async function* singles<T>(records: AsyncIterable<T>): AsyncGenerator<T[]> {
	for await (const record of records) yield [record];
}
