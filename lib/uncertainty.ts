// How sure a model was about an item, from whatever shape its prediction has: a plain score, span scores, or a
// class probability distribution turned into an uncertainty measure (Settles 2009, "Active Learning Literature
// Survey", §3.1: least confidence, margin, entropy). Every value here is a "confidence": higher = surer, so one
// threshold rule works for all of them; `uncertainty` is its complement for ranking and Prodigy's priority.
import { getPathValue, getPathValues, parsePath } from './paths';

export type UncertaintyMeasure = 'leastConfidence' | 'margin' | 'entropy';
export type Aggregation = 'min' | 'mean' | 'max';

export interface Distribution {
	/** Class labels; positions ("0", "1", …) for a plain array. */
	labels: string[];
	probabilities: number[];
}

/** Thrown by the pure helpers when a value cannot be read; measureConfidence turns it into a reason. */
export class ConfidenceValueError extends Error {}

function finiteNumber(value: unknown): number | null {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	// Scores that travelled through CSV or form fields arrive as text; a fully numeric string is taken as its number.
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? parsed : null;
	}
	return null;
}

function describe(value: unknown): string {
	if (value === undefined) return 'missing';
	if (value === null) return 'null';
	const text = JSON.stringify(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Reads a class probability distribution: an array of numbers, a map label → probability (spaCy `cats`), or an
 * array of `{ label, score }` objects (Hugging Face pipelines; `probability` / `prob` are accepted for `score`).
 */
export function toDistribution(value: unknown): Distribution {
	const labels: string[] = [];
	const probabilities: number[] = [];
	const add = (label: string, raw: unknown) => {
		const number = finiteNumber(raw);
		if (number === null) throw new ConfidenceValueError(`probability of "${label}" is not a number (${describe(raw)})`);
		if (number < 0 || number > 1) throw new ConfidenceValueError(`probability of "${label}" is outside 0..1 (${number})`);
		labels.push(label);
		probabilities.push(number);
	};
	if (Array.isArray(value)) {
		value.forEach((entry, index) => {
			if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
				const record = entry as Record<string, unknown>;
				const score = record.score ?? record.probability ?? record.prob;
				add(String(record.label ?? index), score);
			} else {
				add(String(index), entry);
			}
		});
	} else if (typeof value === 'object' && value !== null) {
		for (const [label, raw] of Object.entries(value)) add(label, raw);
	} else {
		throw new ConfidenceValueError(`expected a probability list or map, got ${describe(value)}`);
	}
	if (probabilities.length === 0) throw new ConfidenceValueError('the probability list is empty');
	return { labels, probabilities };
}

function sortedDescending(probabilities: number[]): number[] {
	return [...probabilities].sort((a, b) => b - a);
}

/** 1 − P(top class). 0 when the model is certain. */
export function leastConfidence(probabilities: number[]): number {
	return 1 - sortedDescending(probabilities)[0];
}

/** P(top class) − P(second class); a single class has no runner-up, so its margin is its probability. */
export function margin(probabilities: number[]): number {
	const [first, second = 0] = sortedDescending(probabilities);
	return first - second;
}

/**
 * Shannon entropy divided by its maximum ln(n), so 0 = certain, 1 = uniform, whatever the number of classes.
 * The probabilities are renormalised to sum to 1 first: entropy is only defined for a distribution, and
 * multi-label scores (independent sigmoids) would otherwise give values above 1.
 */
export function normalizedEntropy(probabilities: number[]): number {
	const n = probabilities.length;
	if (n <= 1) return 0;
	const total = probabilities.reduce((sum, p) => sum + p, 0);
	if (total <= 0) throw new ConfidenceValueError('all probabilities are 0');
	let entropy = 0;
	for (const p of probabilities) {
		const q = p / total;
		if (q > 0) entropy -= q * Math.log(q);
	}
	return entropy / Math.log(n);
}

export function aggregate(values: number[], how: Aggregation): number {
	if (values.length === 0) throw new ConfidenceValueError('no values to aggregate');
	if (how === 'min') return Math.min(...values);
	if (how === 'max') return Math.max(...values);
	return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export type ConfidenceSource = 'field' | 'spans' | 'distribution';

export interface ConfidenceSpec {
	/** field: one number at `path`; spans: numbers at a wildcard path aggregated; distribution: class probabilities. */
	source: ConfidenceSource;
	path: string;
	/** For `spans` (default 'min': an item is as uncertain as its least certain span). */
	aggregation?: Aggregation;
	/** For `distribution` (default 'leastConfidence'). */
	measure?: UncertaintyMeasure;
}

export type ConfidenceResult =
	| {
			ok: true;
			/** Higher = surer; compared with the thresholds. */
			confidence: number;
			/** 1 − confidence: the ranking key for "most uncertain first" and Prodigy's `priority`. */
			uncertainty: number;
			/** Human-readable name of what was computed, e.g. "margin of cats", "min of spans[*].score". */
			measure: string;
	  }
	| { ok: false; reason: string };

/** Checks a spec's path once per run, so a bad path fails the node instead of every item. */
export function validateSpec(spec: ConfidenceSpec): void {
	parsePath(spec.path);
}

/** Computes an item's confidence; never throws for bad item data (returns the reason instead). */
export function measureConfidence(item: unknown, spec: ConfidenceSpec): ConfidenceResult {
	try {
		if (spec.source === 'field') {
			const raw = getPathValue(item, spec.path);
			const value = finiteNumber(raw);
			if (value === null) {
				return { ok: false, reason: `${spec.path} is ${raw === undefined ? 'missing' : `not a number (${describe(raw)})`}` };
			}
			return { ok: true, confidence: value, uncertainty: 1 - value, measure: spec.path };
		}
		if (spec.source === 'spans') {
			const how = spec.aggregation ?? 'min';
			const raws = getPathValues(item, spec.path).flatMap((value) => (Array.isArray(value) ? value : [value]));
			if (raws.length === 0) return { ok: false, reason: `no values at ${spec.path}` };
			const values: number[] = [];
			for (const raw of raws) {
				const value = finiteNumber(raw);
				if (value === null) return { ok: false, reason: `a value at ${spec.path} is not a number (${describe(raw)})` };
				values.push(value);
			}
			const confidence = aggregate(values, how);
			return { ok: true, confidence, uncertainty: 1 - confidence, measure: `${how} of ${spec.path}` };
		}
		const raw = getPathValue(item, spec.path);
		if (raw === undefined) return { ok: false, reason: `${spec.path} is missing` };
		const { probabilities } = toDistribution(raw);
		const measure = spec.measure ?? 'leastConfidence';
		if (measure === 'margin') {
			const value = margin(probabilities);
			return { ok: true, confidence: value, uncertainty: 1 - value, measure: `margin of ${spec.path}` };
		}
		if (measure === 'entropy') {
			const entropy = normalizedEntropy(probabilities);
			return { ok: true, confidence: 1 - entropy, uncertainty: entropy, measure: `1 - normalized entropy of ${spec.path}` };
		}
		const uncertainty = leastConfidence(probabilities);
		return { ok: true, confidence: 1 - uncertainty, uncertainty, measure: `top probability of ${spec.path}` };
	} catch (error) {
		if (error instanceof ConfidenceValueError) return { ok: false, reason: `${spec.path}: ${error.message}` };
		throw error;
	}
}

export type ConfidenceRoute = 'review' | 'confident' | 'discard';

export interface Thresholds {
	/** Confidence strictly below this needs review. */
	review: number;
	/** Confidence strictly below this is discarded (checked first); omit for no discard output. */
	discardBelow?: number;
}

export interface RouteDecision {
	route: ConfidenceRoute;
	/** The threshold the value was compared with last. */
	threshold: number;
	reason: string;
}

function format(value: number): string {
	return String(Number(value.toPrecision(6)));
}

export function routeByConfidence(confidence: number, measure: string, thresholds: Thresholds): RouteDecision {
	const value = `${format(confidence)} (${measure})`;
	if (thresholds.discardBelow !== undefined && confidence < thresholds.discardBelow) {
		return {
			route: 'discard',
			threshold: thresholds.discardBelow,
			reason: `confidence ${value} is below the discard floor ${thresholds.discardBelow}`,
		};
	}
	if (confidence < thresholds.review) {
		return {
			route: 'review',
			threshold: thresholds.review,
			reason: `confidence ${value} is below the review threshold ${thresholds.review}`,
		};
	}
	return {
		route: 'confident',
		threshold: thresholds.review,
		reason: `confidence ${value} is at or above the review threshold ${thresholds.review}`,
	};
}

/**
 * Ranks candidates most uncertain first and returns each kept index with its rank (1 = most uncertain).
 * Ties keep input order, so the same run always selects the same items.
 */
export function mostUncertain(
	candidates: Array<{ index: number; uncertainty: number }>,
	k: number,
): Map<number, number> {
	const ranked = [...candidates].sort((a, b) => b.uncertainty - a.uncertainty || a.index - b.index);
	const kept = new Map<number, number>();
	ranked.slice(0, Math.max(0, Math.floor(k))).forEach((candidate, position) => kept.set(candidate.index, position + 1));
	return kept;
}
