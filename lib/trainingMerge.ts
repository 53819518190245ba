// The answers to one input (same `_input_hash`) → one training example, the way Prodigy's `data-to-spacy` merges
// them: accepted answers are united, rejected and ignored ones dropped (a rejected binary text-classification answer
// still says "not this label"), and answers that disagree become a conflict instead of being resolved. Plain
// functions over parsed tasks: no database, no n8n.
import { ProdigyInputError } from './errors';
import { compareCodePoints, toPlainJson } from './json';
import type { JsonObject, Task } from './store/types';

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

/** A span in words, for messages: `0-5 ORG`. */
export function spanText(span: CharSpan): string {
	return `${span.start}-${span.end} ${span.label || '(no label)'}`;
}

function sameSpan(a: CharSpan, b: CharSpan): boolean {
	return a.start === b.start && a.end === b.end && a.label === b.label;
}

export function overlap(a: CharSpan, b: CharSpan): boolean {
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

