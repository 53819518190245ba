// Inter-annotator agreement over Prodigy annotations: the same input (`_input_hash`) annotated by several
// annotators (`_annotator_id`, else `_session_id`). Two annotators: Cohen's kappa (Cohen 1960). More: Fleiss' kappa
// (Fleiss 1971), in the common generalisation that lets the number of ratings vary per input (with a constant
// number it is exactly Fleiss' formula). Percent agreement is the mean share of agreeing annotator pairs per input.
// These kappas are this pack's own measure, not Prodigy's: Prodigy's metric.iaa.* recipes report percent agreement,
// Krippendorff's alpha and Gwet's AC2 (and pairwise F1 for spans), which live in ./iaa with Prodigy's unit rules.
import type { Task } from './store/types';

export interface KappaResult {
	kappa: number;
	/** Observed agreement (Cohen's p_o, Fleiss' P̄). */
	observed: number;
	/** Agreement expected by chance (Cohen's p_e, Fleiss' P̄_e). */
	expected: number;
}

function kappaOf(observed: number, expected: number): number {
	// Every rating in one category: chance agreement is 1 and kappa is 0/0. The ratings cannot disagree, so this is
	// reported as perfect agreement (1) rather than as "unknown", which would fail an approval for agreeing too well.
	if (expected >= 1) return 1;
	return (observed - expected) / (1 - expected);
}

/** Cohen's kappa from a k×k contingency table: rows = annotator A's category, columns = annotator B's. */
export function cohensKappaFromTable(table: number[][]): KappaResult {
	const k = table.length;
	if (k === 0 || table.some((row) => row.length !== k)) throw new RangeError('Cohen\'s kappa needs a square table');
	let total = 0;
	let agreeing = 0;
	const rowSums = new Array<number>(k).fill(0);
	const columnSums = new Array<number>(k).fill(0);
	for (let i = 0; i < k; i++) {
		for (let j = 0; j < k; j++) {
			total += table[i][j];
			rowSums[i] += table[i][j];
			columnSums[j] += table[i][j];
		}
		agreeing += table[i][i];
	}
	if (total === 0) throw new RangeError('Cohen\'s kappa needs at least one rated item');
	const observed = agreeing / total;
	let expected = 0;
	for (let i = 0; i < k; i++) expected += (rowSums[i] / total) * (columnSums[i] / total);
	return { kappa: kappaOf(observed, expected), observed, expected };
}

/** Cohen's kappa of two annotators' labels for the same items (a[i] and b[i] rate item i). */
export function cohensKappa(a: readonly string[], b: readonly string[]): KappaResult {
	if (a.length !== b.length) throw new RangeError('Both annotators must rate the same items');
	const categories = [...new Set([...a, ...b])].sort();
	const position = new Map(categories.map((category, index) => [category, index]));
	const table = categories.map(() => new Array<number>(categories.length).fill(0));
	for (let i = 0; i < a.length; i++) table[position.get(a[i]) as number][position.get(b[i]) as number]++;
	return cohensKappaFromTable(table);
}

/**
 * Fleiss' kappa from a subjects × categories table of counts (n_ij = raters who put subject i in category j).
 * Each subject needs at least two ratings; the number may vary per subject.
 */
export function fleissKappa(counts: number[][]): KappaResult {
	if (counts.length === 0) throw new RangeError('Fleiss\' kappa needs at least one subject');
	const categories = counts[0].length;
	const categoryTotals = new Array<number>(categories).fill(0);
	let ratings = 0;
	let sumP = 0;
	for (const row of counts) {
		if (row.length !== categories) throw new RangeError('Every subject needs a count for every category');
		const n = row.reduce((sum, value) => sum + value, 0);
		if (n < 2) throw new RangeError('Every subject needs at least two ratings');
		let squares = 0;
		row.forEach((value, j) => {
			squares += value * value;
			categoryTotals[j] += value;
		});
		sumP += (squares - n) / (n * (n - 1));
		ratings += n;
	}
	const observed = sumP / counts.length;
	const expected = categoryTotals.reduce((sum, total) => sum + (total / ratings) ** 2, 0);
	return { kappa: kappaOf(observed, expected), observed, expected };
}

/** Mean over subjects of the share of agreeing rater pairs. */
export function percentAgreement(ratingsPerSubject: readonly (readonly string[])[]): number {
	if (ratingsPerSubject.length === 0) throw new RangeError('Percent agreement needs at least one subject');
	let sum = 0;
	for (const ratings of ratingsPerSubject) {
		const n = ratings.length;
		if (n < 2) throw new RangeError('Every subject needs at least two ratings');
		const byCategory = new Map<string, number>();
		for (const rating of ratings) byCategory.set(rating, (byCategory.get(rating) ?? 0) + 1);
		let agreeingPairs = 0;
		for (const count of byCategory.values()) agreeingPairs += (count * (count - 1)) / 2;
		sum += agreeingPairs / ((n * (n - 1)) / 2);
	}
	return sum / ratingsPerSubject.length;
}

/** What two annotations must share to "agree". */
export type AgreementLabel = 'answer' | 'annotation';

/** The annotator of a Prodigy answer: `_annotator_id`, else `_session_id`; null for answers without either. */
export function annotatorOf(task: Task): string | null {
	for (const key of ['_annotator_id', '_session_id']) {
		const value = task[key];
		if (typeof value === 'string' && value !== '') return value;
	}
	return null;
}

/**
 * The category an annotation falls in, or null when it has no answer. `answer`: accept / reject / ignore (binary
 * recipes). `annotation`: the answer plus what was annotated — the task hash (spans, label, options differ → the
 * hash differs) and the chosen option ids (`accept`, which the default task hash does not cover).
 */
export function annotationCategory(task: Task, by: AgreementLabel, taskHash?: number): string | null {
	const answer = task.answer;
	if (typeof answer !== 'string' || answer === '') return null;
	if (by === 'answer') return answer;
	const hash = taskHash ?? task._task_hash;
	const accept = Array.isArray(task.accept) ? [...task.accept].map(String).sort().join(',') : '';
	return `${answer}|${String(hash ?? '')}|${accept}`;
}

export interface AgreementResult {
	/** Inputs annotated by at least two annotators (the only ones agreement is measured on). */
	subjects: number;
	/** Distinct annotators among those inputs. */
	annotators: number;
	percentAgreement: number | null;
	kappa: number | null;
	/** 'cohen' for exactly two annotators, 'fleiss' for more; null when no input has two annotators. */
	method: 'cohen' | 'fleiss' | null;
	observed: number | null;
	expected: number | null;
}

/**
 * Collects one category per (input, annotator) while a dataset streams past; an annotator's later answer on the
 * same input replaces the earlier one. Memory: one small entry per distinct (input, annotator) pair.
 */
export class AgreementAccumulator {
	private readonly subjects = new Map<string, Map<string, string>>();

	add(inputHash: number | string, annotator: string, category: string): void {
		const key = String(inputHash);
		let ratings = this.subjects.get(key);
		if (!ratings) {
			ratings = new Map();
			this.subjects.set(key, ratings);
		}
		ratings.set(annotator, category);
	}

	/** Adds a Prodigy answer; answers without annotator or answer are not rateable and are skipped. */
	addTask(task: Task, inputHash: number, by: AgreementLabel, taskHash?: number): void {
		const annotator = annotatorOf(task);
		const category = annotationCategory(task, by, taskHash);
		if (annotator !== null && category !== null) this.add(inputHash, annotator, category);
	}

	result(): AgreementResult {
		const rated = [...this.subjects.values()].filter((ratings) => ratings.size >= 2);
		const annotators = new Set(rated.flatMap((ratings) => [...ratings.keys()]));
		if (rated.length === 0) {
			return { subjects: 0, annotators: annotators.size, percentAgreement: null, kappa: null, method: null, observed: null, expected: null };
		}
		const percent = percentAgreement(rated.map((ratings) => [...ratings.values()]));
		if (annotators.size === 2) {
			const [first, second] = [...annotators];
			const result = cohensKappa(
				rated.map((ratings) => ratings.get(first) as string),
				rated.map((ratings) => ratings.get(second) as string),
			);
			return { subjects: rated.length, annotators: 2, percentAgreement: percent, method: 'cohen', ...result };
		}
		const categories = [...new Set(rated.flatMap((ratings) => [...ratings.values()]))];
		const counts = rated.map((ratings) => {
			const row = new Array<number>(categories.length).fill(0);
			for (const category of ratings.values()) row[categories.indexOf(category)]++;
			return row;
		});
		return { subjects: rated.length, annotators: annotators.size, percentAgreement: percent, method: 'fleiss', ...fleissKappa(counts) };
	}
}
