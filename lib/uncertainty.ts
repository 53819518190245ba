// How sure a model was about an item, from whatever shape its prediction has: a plain score, span scores, or a
// class probability distribution turned into an uncertainty measure (Settles 2009, "Active Learning Literature
// Survey", §3.1: least confidence, margin, entropy). Every value here is a "confidence": higher = surer, so one
// threshold rule works for all of them; `uncertainty` is its complement for ranking and Prodigy's priority.
// Models report scores as fractions (0..1) or percentages (0..100); every number read is checked against the scale
// the user chose and brought to 0..1 first, so a percentage can never pass as a confidence of 97.
import { ProdigyInputError } from './errors';
import { getPathValue, getPathValues, parsePath } from './paths';

export type UncertaintyMeasure = 'leastConfidence' | 'margin' | 'entropy';
export type Aggregation = 'min' | 'mean' | 'max';

export interface Distribution {
	/** Class labels; positions ("0", "1", …) for a plain array. */
	labels: string[];
	probabilities: number[];
}

/** How a model writes its scores: fractions 0..1 or percentages 0..100. */
export type ScoreScale = 'fraction' | 'percent';

const SCALE_MAX: Record<ScoreScale, number> = { fraction: 1, percent: 100 };
const SCALE_LABEL: Record<ScoreScale, string> = { fraction: '0–1', percent: '0–100' };

export function isScoreScale(value: unknown): value is ScoreScale {
	return value === 'fraction' || value === 'percent';
}

/** Keys that hold the score of a `{ label, score }` entry, in the order they are looked at (first non-null wins). */
export const SCORE_KEYS = ['score', 'confidence', 'probability', 'prob'] as const;

/**
 * Thrown by the pure helpers when a value cannot be read; measureConfidence turns it into a reason. `outOfScale`: the
 * value is a number outside the Score Scale, which is a setting mistake rather than a missing value.
 */
export class ConfidenceValueError extends Error {
	constructor(
		message: string,
		readonly outOfScale = false,
	) {
		super(message);
	}
}

function toNumber(value: unknown): number | null {
	if (typeof value === 'number') return Number.isNaN(value) ? null : value;
	// Scores that travelled through CSV or form fields arrive as text; a fully numeric string is taken as its number.
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value);
		return Number.isNaN(parsed) ? null : parsed;
	}
	return null;
}

function describe(value: unknown): string {
	if (value === undefined) return 'missing';
	if (typeof value === 'number') return String(value);
	if (value === null) return 'null';
	const text = JSON.stringify(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * One score read from an item, brought to 0..1: a number (or numeric string) within the scale, divided by 100 for
 * percentages. `name` says which value it is in messages ("score 97 is outside 0–1").
 */
export function scoreValue(raw: unknown, name: string, scale: ScoreScale = 'fraction'): number {
	const number = toNumber(raw);
	if (number === null) throw new ConfidenceValueError(`${name} is not a number (${describe(raw)})`);
	if (!(number >= 0 && number <= SCALE_MAX[scale])) {
		throw new ConfidenceValueError(`${name} ${describe(number)} is outside ${SCALE_LABEL[scale]}`, true);
	}
	return scale === 'percent' ? number / 100 : number;
}

/**
 * Splits a list of paths at the commas between them ("score, confidence"); a comma inside brackets belongs to a
 * key (`cats["a,b"]`). Each entry is checked by parsePath when used.
 */
export function splitPaths(text: string): string[] {
	const paths: string[] = [];
	let depth = 0;
	let quote: string | null = null;
	let start = 0;
	for (let pos = 0; pos < text.length; pos++) {
		const char = text[pos];
		if (quote !== null) {
			if (char === quote) quote = null;
		} else if ((char === '"' || char === "'") && depth > 0) {
			quote = char;
		} else if (char === '[') {
			depth++;
		} else if (char === ']') {
			depth = Math.max(0, depth - 1);
		} else if (char === ',' && depth === 0) {
			paths.push(text.slice(start, pos).trim());
			start = pos + 1;
		}
	}
	paths.push(text.slice(start).trim());
	return paths;
}

function listed(paths: string[], conjunction: 'and' | 'or'): string {
	return paths.length === 1 ? paths[0] : `${paths.slice(0, -1).join(', ')} ${conjunction} ${paths[paths.length - 1]}`;
}

/**
 * Reads a class probability distribution: an array of numbers, a map label → probability (spaCy `cats`), or an
 * array of `{ label, score }` objects (Hugging Face pipelines; see SCORE_KEYS for the names accepted for `score`).
 * Probabilities on the percent scale are divided by 100.
 */
export function toDistribution(value: unknown, scale: ScoreScale = 'fraction'): Distribution {
	const labels: string[] = [];
	const probabilities: number[] = [];
	const add = (label: string, raw: unknown) => {
		probabilities.push(scoreValue(raw, `"${label}" probability`, scale));
		labels.push(label);
	};
	if (Array.isArray(value)) {
		value.forEach((entry, index) => {
			if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
				const record = entry as Record<string, unknown>;
				const score = SCORE_KEYS.map((key) => record[key]).find((candidate) => candidate !== undefined && candidate !== null);
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
	/**
	 * Where the value is. For `field` and `spans`, several paths may be given separated by commas ("score,
	 * confidence"): the first one the item has is used.
	 */
	path: string;
	/** How the item's numbers are written (default 'fraction': 0..1); percentages are divided by 100. */
	scale?: ScoreScale;
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
	| {
			ok: false;
			reason: string;
			/**
			 * unreadable: missing or not a number (the user decides what happens to such items); outOfScale: a number
			 * outside the Score Scale, e.g. a percentage read as 0..1, which no route should hide.
			 */
			problem: 'unreadable' | 'outOfScale';
	  };

function pathsOf(spec: ConfidenceSpec): string[] {
	return spec.source === 'distribution' ? [spec.path] : splitPaths(spec.path);
}

/** Checks a spec's paths and scale before any item is read, so a bad setting is reported as such, not as a missing value. */
export function validateSpec(spec: ConfidenceSpec): void {
	for (const path of pathsOf(spec)) parsePath(path);
	if (spec.scale !== undefined && !isScoreScale(spec.scale)) {
		throw new ProdigyInputError(`Unknown score scale "${String(spec.scale)}"`, {
			hint: 'Use "fraction" (scores 0–1) or "percent" (scores 0–100).',
		});
	}
}

/** Computes an item's confidence; never throws for bad item data (returns the reason instead). */
export function measureConfidence(item: unknown, spec: ConfidenceSpec): ConfidenceResult {
	const scale = spec.scale ?? 'fraction';
	// The measure names what was read; "/ 100" says a percentage was brought to 0..1.
	const shown = (path: string) => (scale === 'percent' ? `${path} / 100` : path);
	const confident = (confidence: number, measure: string): ConfidenceResult => ({
		ok: true,
		confidence,
		uncertainty: 1 - confidence,
		measure,
	});
	const paths = pathsOf(spec);
	try {
		if (spec.source === 'field') {
			// The first path the item has decides; a present but unusable value is reported, never skipped over.
			const path = paths.find((candidate) => getPathValue(item, candidate) !== undefined);
			if (path === undefined) {
				return { ok: false, reason: `${listed(paths, 'and')} ${paths.length === 1 ? 'is' : 'are'} missing`, problem: 'unreadable' };
			}
			return confident(scoreValue(getPathValue(item, path), path, scale), shown(path));
		}
		if (spec.source === 'spans') {
			const how = spec.aggregation ?? 'min';
			const valuesAt = (path: string) =>
				getPathValues(item, path).flatMap((value) => (Array.isArray(value) ? value : [value]));
			const path = paths.find((candidate) => valuesAt(candidate).length > 0);
			if (path === undefined) return { ok: false, reason: `no values at ${listed(paths, 'or')}`, problem: 'unreadable' };
			const values = valuesAt(path).map((raw) => scoreValue(raw, `${path} value`, scale));
			return confident(aggregate(values, how), `${how} of ${shown(path)}`);
		}
		const raw = getPathValue(item, spec.path);
		if (raw === undefined) return { ok: false, reason: `${spec.path} is missing`, problem: 'unreadable' };
		const { probabilities } = toDistribution(raw, scale);
		const measure = spec.measure ?? 'leastConfidence';
		if (measure === 'margin') return confident(margin(probabilities), `margin of ${shown(spec.path)}`);
		if (measure === 'entropy') {
			const entropy = normalizedEntropy(probabilities);
			return { ok: true, confidence: 1 - entropy, uncertainty: entropy, measure: `1 - normalized entropy of ${shown(spec.path)}` };
		}
		const uncertainty = leastConfidence(probabilities);
		return { ok: true, confidence: 1 - uncertainty, uncertainty, measure: `top probability of ${shown(spec.path)}` };
	} catch (error) {
		if (!(error instanceof ConfidenceValueError)) throw error;
		// A field's message already starts with its path; the others say which value inside the path failed.
		const reason = spec.source === 'distribution' ? `${spec.path}: ${error.message}` : error.message;
		return { ok: false, reason, problem: error.outOfScale ? 'outOfScale' : 'unreadable' };
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

/**
 * The order in which a review queue is written (and so served: Prodigy's manual recipes and the `dataset:` source
 * serve a dataset's tasks in the order they were added): items without a confidence first (nothing is known of
 * them), then most uncertain first; ties and items with no uncertainty keep input order. Returns positions into
 * `uncertainties` (null = no confidence).
 */
export function reviewOrder(uncertainties: Array<number | null>): number[] {
	const rank = (value: number | null) => (value === null ? Number.POSITIVE_INFINITY : value);
	return uncertainties
		.map((uncertainty, index) => ({ index, key: rank(uncertainty) }))
		.sort((a, b) => b.key - a.key || a.index - b.index)
		.map((entry) => entry.index);
}
