// Prodigy's inter-annotator agreement recipes as plain functions: metric.iaa.binary, metric.iaa.doc (multiclass,
// multilabel) and metric.iaa.span (Prodigy ≥ 1.14.3, https://prodi.gy/docs/metrics). What that page documents,
// and this module follows:
// - "agreement is measured on tasks grouped by the _input_hash" (all three recipes);
// - "all annotations have been completed with the same _view_id";
// - binary: the judgement is the `answer` key (accept / reject); multiclass and multilabel (choice interface):
//   the chosen options are the `accept` key, exclusive labels for multiclass, several per task for multilabel;
// - binary and doc report Percent (Simple) Agreement, Krippendorff's Alpha and Gwet's AC2, with "Co-Incident
//   Examples" (more than one annotation) as the only ones agreement is observed on; span reports pairwise F1.
// The recipes name annotators by annotator ID (their output says "Using 2 annotator IDs: ner_task_v2-annotator1,
// ner_task_v2-annotator2", https://support.prodi.gy/t/iaa-metrics-error/6843): `_annotator_id`, which named
// sessions set to `<dataset>-<name>`, else `_session_id` (the fallback is ours, for answers older than Prodigy 1.11).
// Not in Prodigy's public docs, so unverified and chosen here (each is one small rule below, easy to change):
// - `ignore` answers never count; binary counts accept and reject; doc and span count accepted answers only, as
//   Prodigy's review recipe does for manual annotations ("'ignore' and 'reject' answers will always be filtered
//   out", https://support.prodi.gy/t/review-recipe-which-examples-does-it-show/1650). prodigy-iaa (the package
//   these recipes grew from) agrees for binary and multiclass and counts every answer for multilabel;
// - a multiclass answer with no choice, or with several, is left out and counted (prodigy-iaa takes the first);
// - an annotator's later answer on the same input replaces the earlier one (prodigy-iaa refuses such data);
// - multilabel is one statistic over (input, label) units, plus each label's own (prodigy-iaa reports per label);
// - answers from more than one `_view_id` give no value and say so (Prodigy requires one; choose it with viewId).
import { annotatorOf } from '../agreement';
import { ProdigyInputError } from '../errors';
import type { Task } from '../store/types';
import { reliabilityCoefficients } from './coefficients';
import type { Rating, ReliabilityCoefficients } from './coefficients';
import { pairwiseF1 } from './pairwiseF1';
import type { AnnotatorItems, PairAgreement } from './pairwiseF1';

/** metric.iaa.binary, metric.iaa.doc multiclass / multilabel, metric.iaa.span. */
export type IaaMetric = 'binary' | 'multiclass' | 'multilabel' | 'span';
export const IAA_METRICS: readonly IaaMetric[] = ['binary', 'multiclass', 'multilabel', 'span'];

export interface IaaOptions {
	/** Only answers given in this annotation interface (`_view_id`, e.g. "classification", "choice", "spans_manual"). */
	viewId?: string;
	/** Only these annotators (`_annotator_id`, else `_session_id`). */
	annotators?: readonly string[];
	/**
	 * multiclass: the categories (other choices are left out and counted); multilabel: the labels measured;
	 * span: only spans with these labels. Default: the labels the answers use (multilabel: also those offered).
	 */
	labels?: readonly string[];
	/**
	 * What one unit is: "input" (`_input_hash`, Prodigy's documented rule, the default) or "task" (`_task_hash`, for
	 * binary datasets from teach recipes, which ask several questions about one input). Not for span: a span
	 * annotation's task hash covers its spans, so annotators who differ never share one.
	 */
	groupBy?: 'input' | 'task';
}

/** Answers the measure leaves out, by reason. */
export interface IaaSkipped {
	/** No `answer` (a task, not an annotation), or one other than accept / reject / ignore. */
	unanswered: number;
	ignored: number;
	/** multiclass, multilabel, span: rejected answers (binary counts reject as a judgement). */
	rejected: number;
	noAnnotator: number;
	/** No `_input_hash` (or `_task_hash` when grouping by task). */
	noHash: number;
	otherViewId: number;
	otherAnnotator: number;
	/** multiclass: accepted with nothing chosen. */
	noChoice: number;
	/** multiclass: accepted with several choices (not exclusive). */
	multipleChoices: number;
	/** multiclass: the choice is not among `labels`. */
	otherLabel: number;
	/** span: spans without numeric start / end (e.g. image spans), not measured. */
	unsupportedSpans: number;
	/** Earlier answers replaced by the same annotator's later answer on the same unit. */
	replaced: number;
}

export interface IaaStats {
	/** Inputs (units) with at least one counted answer. */
	examples: number;
	/** Inputs with answers from two or more annotators. */
	coincidentExamples: number;
	singleAnnotationExamples: number;
	annotators: number;
	annotatorIds: string[];
	/** Counted answers per example. */
	avgAnnotationsPerExample: number | null;
	/** Distinct values the counted answers gave (binary: accept / reject; multiclass: choices; others: labels). */
	categories: number;
	/** multiclass, multilabel, span: the labels measured. */
	labels: string[];
	/** `labels` entries no answer used (Prodigy refuses such a request; here it is reported). */
	labelsNotFound: string[];
	/** Distinct `_view_id` among the counted answers. */
	viewIds: string[];
	skipped: IaaSkipped;
}

export interface IaaResult {
	metric: 'binary' | 'multiclass' | 'multilabel';
	percentAgreement: number | null;
	krippendorffAlpha: number | null;
	gwetAC2: number | null;
	/** multilabel: over (input, label) units. */
	coefficients: ReliabilityCoefficients | null;
	/** multilabel: each label as its own yes / no judgement. */
	perLabel?: Record<string, ReliabilityCoefficients>;
	stats: IaaStats;
	/** Why the values are null, when they are. */
	reason?: string;
}

export interface SpanIaaResult {
	metric: 'span';
	/** Mean over annotator pairs of their F1 (see pairwiseF1). */
	pairwiseF1: number | null;
	pairs: PairAgreement[];
	perLabel: Record<string, { pairwiseF1: number | null; pairs: PairAgreement[] }>;
	stats: IaaStats;
	reason?: string;
}

/** Store-side hashes of an answer (the `example` columns), used before the task's own `_input_hash` / `_task_hash`. */
export interface IaaHashes {
	inputHash?: number | string;
	taskHash?: number | string;
}

type Value = string | ReadonlySet<string>;

function emptySkipped(): IaaSkipped {
	return {
		unanswered: 0,
		ignored: 0,
		rejected: 0,
		noAnnotator: 0,
		noHash: 0,
		otherViewId: 0,
		otherAnnotator: 0,
		noChoice: 0,
		multipleChoices: 0,
		otherLabel: 0,
		unsupportedSpans: 0,
		replaced: 0,
	};
}

function hashKey(value: unknown): string | null {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'bigint') return String(value);
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	return null;
}

function idOf(value: unknown): string | null {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return null;
}

function chosenIds(task: Task): string[] {
	const accept = task.accept;
	if (!Array.isArray(accept)) return [];
	return accept.map(idOf).filter((id): id is string => id !== null);
}

/**
 * Collects one judgement per (unit, annotator) while answers stream past (a dataset read, a db-out file), then
 * computes the measure. Memory: one small entry per distinct (unit, annotator) pair.
 */
export class IaaAccumulator {
	readonly metric: IaaMetric;
	private readonly options: IaaOptions;
	private readonly labelFilter: ReadonlySet<string> | null;
	private readonly annotatorFilter: ReadonlySet<string> | null;
	private readonly units = new Map<string, Map<string, Value>>();
	private readonly skipped = emptySkipped();
	private readonly viewIds = new Set<string>();
	/** multilabel: the option ids offered by the tasks; multiclass / span: labels used. */
	private readonly labelsSeen = new Set<string>();

	constructor(metric: IaaMetric, options: IaaOptions = {}) {
		if (!IAA_METRICS.includes(metric)) {
			throw new ProdigyInputError(`Unknown agreement metric "${String(metric)}"`, { hint: `Use one of ${IAA_METRICS.join(', ')}` });
		}
		const groupBy = options.groupBy ?? 'input';
		if (groupBy !== 'input' && groupBy !== 'task') {
			throw new ProdigyInputError(`Unknown grouping "${String(groupBy)}"`, { hint: 'Group by "input" (_input_hash) or "task" (_task_hash)' });
		}
		if (metric === 'span' && groupBy === 'task') {
			throw new ProdigyInputError('Span agreement groups answers by input', {
				hint: 'A span annotation\'s _task_hash covers its spans, so annotators who disagree never share one: group by "input"',
			});
		}
		this.metric = metric;
		this.options = { ...options, groupBy };
		this.labelFilter = options.labels && options.labels.length > 0 ? new Set(options.labels) : null;
		this.annotatorFilter = options.annotators && options.annotators.length > 0 ? new Set(options.annotators) : null;
	}

	/** Adds one Prodigy answer; returns whether it was counted (the reason otherwise is in the result's stats). */
	add(task: Task, hashes: IaaHashes = {}): boolean {
		const answer = task.answer;
		if (typeof answer !== 'string' || answer === '') return this.skip('unanswered');
		const viewId = typeof task._view_id === 'string' ? task._view_id : null;
		if (this.options.viewId !== undefined && viewId !== this.options.viewId) return this.skip('otherViewId');
		const annotator = annotatorOf(task);
		if (annotator === null) return this.skip('noAnnotator');
		if (this.annotatorFilter && !this.annotatorFilter.has(annotator)) return this.skip('otherAnnotator');
		const unit =
			this.options.groupBy === 'task' ? hashKey(hashes.taskHash ?? task._task_hash) : hashKey(hashes.inputHash ?? task._input_hash);
		if (unit === null) return this.skip('noHash');
		if (answer === 'ignore') return this.skip('ignored');
		const value = this.valueOf(task, answer);
		if (value === null) return false;

		if (viewId !== null) this.viewIds.add(viewId);
		let ratings = this.units.get(unit);
		if (!ratings) {
			ratings = new Map();
			this.units.set(unit, ratings);
		}
		if (ratings.has(annotator)) this.skipped.replaced++;
		ratings.set(annotator, value);
		return true;
	}

	/** Adds many answers (tasks as db-out writes them, carrying their own hashes). */
	addAll(tasks: Iterable<Task>): this {
		for (const task of tasks) this.add(task);
		return this;
	}

	private skip(reason: keyof IaaSkipped): false {
		this.skipped[reason]++;
		return false;
	}

	/** The annotator's judgement, or null (counted as skipped) when this measure does not count the answer. */
	private valueOf(task: Task, answer: string): Value | null {
		if (this.metric === 'binary') {
			if (answer === 'accept' || answer === 'reject') return answer;
			return this.skipValue('unanswered');
		}
		if (answer === 'reject') return this.skipValue('rejected');
		if (answer !== 'accept') return this.skipValue('unanswered');
		if (this.metric === 'multiclass') {
			const chosen = chosenIds(task);
			if (chosen.length === 0) return this.skipValue('noChoice');
			if (chosen.length > 1) return this.skipValue('multipleChoices');
			if (this.labelFilter && !this.labelFilter.has(chosen[0])) return this.skipValue('otherLabel');
			this.labelsSeen.add(chosen[0]);
			return chosen[0];
		}
		if (this.metric === 'multilabel') {
			if (Array.isArray(task.options)) {
				for (const option of task.options) {
					const id = idOf((option as { id?: unknown } | null)?.id);
					if (id !== null) this.labelsSeen.add(id);
				}
			}
			const chosen = new Set(chosenIds(task));
			for (const id of chosen) this.labelsSeen.add(id);
			return chosen;
		}
		const spans = new Set<string>();
		if (Array.isArray(task.spans)) {
			for (const span of task.spans as unknown[]) {
				const { start, end, label } = (span ?? {}) as { start?: unknown; end?: unknown; label?: unknown };
				if (typeof start !== 'number' || typeof end !== 'number') {
					this.skipped.unsupportedSpans++;
					continue;
				}
				const name = typeof label === 'string' ? label : '';
				if (this.labelFilter && !this.labelFilter.has(name)) continue;
				this.labelsSeen.add(name);
				spans.add(JSON.stringify([start, end, name]));
			}
		}
		return spans;
	}

	private skipValue(reason: keyof IaaSkipped): null {
		this.skipped[reason]++;
		return null;
	}

	private stats(categories: number, labels: string[]): IaaStats {
		const sizes = [...this.units.values()].map((ratings) => ratings.size);
		const examples = sizes.length;
		const coincident = sizes.filter((size) => size >= 2).length;
		const annotatorIds = [...new Set([...this.units.values()].flatMap((ratings) => [...ratings.keys()]))].sort();
		const answers = sizes.reduce((sum, size) => sum + size, 0);
		return {
			examples,
			coincidentExamples: coincident,
			singleAnnotationExamples: examples - coincident,
			annotators: annotatorIds.length,
			annotatorIds,
			avgAnnotationsPerExample: examples === 0 ? null : answers / examples,
			categories,
			labels,
			labelsNotFound: (this.options.labels ?? []).filter((label) => !this.labelsSeen.has(label)),
			viewIds: [...this.viewIds].sort(),
			skipped: { ...this.skipped },
		};
	}

	/** Prodigy measures one annotation interface: answers from several give no value, and the reason. */
	private viewProblem(): string | undefined {
		if (this.options.viewId !== undefined || this.viewIds.size <= 1) return undefined;
		return (
			`the answers come from ${this.viewIds.size} annotation interfaces (_view_id ${[...this.viewIds].sort().join(', ')}); ` +
			'Prodigy measures agreement within one: choose it'
		);
	}

	private labelList(): string[] {
		if (this.options.labels && this.options.labels.length > 0) return [...new Set(this.options.labels)];
		return [...this.labelsSeen].sort();
	}

	result(): IaaResult | SpanIaaResult {
		return this.metric === 'span' ? this.spanResult() : this.coefficientResult();
	}

	/** metric.iaa.binary / metric.iaa.doc: percent agreement, Krippendorff's alpha and Gwet's AC2. */
	coefficientResult(): IaaResult {
		if (this.metric === 'span') throw new ProdigyInputError('Span agreement is pairwise F1', { hint: 'Call spanResult()' });
		const metric = this.metric;
		const inputs = [...this.units.values()];
		let coefficients: ReliabilityCoefficients;
		let perLabel: Record<string, ReliabilityCoefficients> | undefined;
		let labels: string[] = [];
		let categories: number;
		if (metric === 'multilabel') {
			labels = this.labelList();
			const pooled: Rating[][] = [];
			perLabel = {};
			for (const label of labels) {
				const units = inputs.map((ratings) => [...ratings.values()].map((chosen) => ((chosen as ReadonlySet<string>).has(label) ? 1 : 0)));
				pooled.push(...units);
				perLabel[label] = reliabilityCoefficients(units, { categories: [0, 1] });
			}
			coefficients = reliabilityCoefficients(pooled, { categories: [0, 1] });
			categories = labels.length;
		} else {
			const units = inputs.map((ratings) => [...ratings.values()] as string[]);
			if (metric === 'multiclass') labels = this.labelList();
			categories = new Set(units.flat()).size;
			// Binary: accept / reject are the two possible judgements whether or not both occur.
			coefficients = reliabilityCoefficients(units, { categories: metric === 'binary' ? ['accept', 'reject'] : labels });
		}
		const stats = this.stats(categories, labels);
		const problem = this.viewProblem();
		if (problem !== undefined) {
			return { metric, percentAgreement: null, krippendorffAlpha: null, gwetAC2: null, coefficients: null, stats, reason: problem };
		}
		const reason = coefficients.undefinedReason;
		return {
			metric,
			percentAgreement: coefficients.percentAgreement,
			krippendorffAlpha: coefficients.krippendorffAlpha,
			gwetAC2: coefficients.gwetAC2,
			coefficients,
			...(perLabel ? { perLabel } : {}),
			stats,
			...(reason !== undefined ? { reason } : {}),
		};
	}

	/** metric.iaa.span: pairwise F1 over all labels and per label. */
	spanResult(): SpanIaaResult {
		if (this.metric !== 'span') throw new ProdigyInputError(`${this.metric} agreement is not span agreement`, { hint: 'Call coefficientResult()' });
		const inputs = [...this.units.values()] as Map<string, ReadonlySet<string>>[];
		const labels = this.labelList();
		const stats = this.stats(labels.length, labels);
		const problem = this.viewProblem();
		if (problem !== undefined) return { metric: 'span', pairwiseF1: null, pairs: [], perLabel: {}, stats, reason: problem };
		const overall = pairwiseF1(inputs);
		// Each label on its own: every annotator of an input takes part, with the spans of that label (maybe none).
		const byLabel = new Map<string, AnnotatorItems[]>(labels.map((label) => [label, []]));
		for (const input of inputs) {
			const split = new Map<string, Map<string, Set<string>>>(
				labels.map((label) => [label, new Map([...input.keys()].map((annotator) => [annotator, new Set<string>()]))]),
			);
			for (const [annotator, spans] of input) {
				for (const key of spans) split.get((JSON.parse(key) as [number, number, string])[2])?.get(annotator)?.add(key);
			}
			for (const [label, items] of split) byLabel.get(label)?.push(items);
		}
		const perLabel: SpanIaaResult['perLabel'] = {};
		for (const [label, labelInputs] of byLabel) {
			const result = pairwiseF1(labelInputs);
			perLabel[label] = { pairwiseF1: result.f1, pairs: result.pairs };
		}
		const reason =
			overall.f1 !== null
				? undefined
				: overall.coincidentInputs === 0
					? 'no input was annotated by two or more annotators'
					: 'no annotator marked a span on the inputs they share with another';
		return { metric: 'span', pairwiseF1: overall.f1, pairs: overall.pairs, perLabel, stats, ...(reason !== undefined ? { reason } : {}) };
	}
}

/** metric.iaa.binary: agreement on accept / reject, grouped by `_input_hash`. */
export function binaryAgreement(tasks: Iterable<Task>, options: IaaOptions = {}): IaaResult {
	return new IaaAccumulator('binary', options).addAll(tasks).coefficientResult();
}

/** metric.iaa.doc: agreement on the chosen options (`accept`), exclusive (multiclass) or several (multilabel). */
export function docAgreement(tasks: Iterable<Task>, type: 'multiclass' | 'multilabel', options: IaaOptions = {}): IaaResult {
	if (type !== 'multiclass' && type !== 'multilabel') {
		throw new ProdigyInputError(`Unknown document annotation type "${String(type)}"`, { hint: 'Use "multiclass" or "multilabel"' });
	}
	return new IaaAccumulator(type, options).addAll(tasks).coefficientResult();
}

/** metric.iaa.span: pairwise F1 between annotators over exactly matching spans (start, end, label). */
export function spanAgreement(tasks: Iterable<Task>, options: IaaOptions = {}): SpanIaaResult {
	return new IaaAccumulator('span', options).addAll(tasks).spanResult();
}
