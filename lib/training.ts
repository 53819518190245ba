// Prodigy annotations → training data for trainers outside Prodigy, the way Prodigy's `data-to-spacy` prepares
// them, in one pass over the answers: the answers to one input are merged (lib/trainingMerge.ts), each example
// becomes a line of the chosen format (lib/trainingFormats.ts) on the side of the train / dev split its input hash
// gives (lib/devSplit.ts), and what was left out is counted. No database, no n8n.
//
// This module is also the one import for those rules (the library entry, scripts and the tests read them here).
import { isDevInput } from './devSplit';
import { compareCodePoints } from './json';
import { TRAINING_LINE_FORMATS, type TextcatShape, type TrainingFormat, type TrainingLineFormat } from './trainingFormats';
import { byInputContent, groupByInput, mergeAnswers, type Answer, type Conflict } from './trainingMerge';

export * from './devSplit';
export * from './trainingFormats';
export * from './trainingMerge';

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
	const format: TrainingLineFormat = TRAINING_LINE_FORMATS[options.format];
	const line = format.line(merged, options.textcatShape);
	if (line?.whitespace) summary.whitespaceTokenized++;
	if (line === undefined) {
		summary.withoutLine++;
		return;
	}
	const dev = isDevInput(merged.inputHash, options.devShare);
	const side = dev ? summary.dev : summary.train;
	side.examples++;
	for (const label of new Set(format.labels(merged))) side.labels[label] = (side.labels[label] ?? 0) + 1;
	yield { dev, line: `${line.text}\n` };
}

async function* singles<T>(records: AsyncIterable<T>): AsyncGenerator<T[]> {
	for await (const record of records) yield [record];
}
