// The line formats of the training export: what one merged example (lib/trainingMerge.ts) becomes in each. Token
// tags follow spaCy's `offsets_to_biluo_tags`, converted to IOB2 like spaCy's `biluo_to_iob`; text classification
// is written in the shapes Hugging Face and spaCy read. A line format is one entry of TRAINING_LINE_FORMATS.
import { overlap, spanText, TrainingDataError, type CharSpan, type Token, type TrainingExample } from './trainingMerge';

/** `label`: one positive label per line; `labels`: every positive label; `cats`: spaCy's `{label: 1.0 | 0.0}`. */
export type TextcatShape = 'label' | 'labels' | 'cats';

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

/** What one line format makes of a merged example. */
export interface TrainingLineFormat {
	/**
	 * The example's line without its newline, or undefined when it has none in this format; `whitespace` when the
	 * example's text had to be split on whitespace for it.
	 */
	line(example: TrainingExample, shape: TextcatShape): { text: string; whitespace?: boolean } | undefined;
	/** The labels the line counts for, for the per-label counts of its side. */
	labels(example: TrainingExample): string[];
}

/** Every line format of the training export, by the name the Export's Format parameter and the library use. */
export const TRAINING_LINE_FORMATS = {
	tokens: {
		line: (example) => {
			const tokens = toTokensLine(example);
			return tokens && { text: JSON.stringify(tokens.line), whitespace: tokens.whitespace };
		},
		labels: (example) => example.spans.filter((span) => span.label).map((span) => span.label),
	},
	textcat: {
		line: (example, shape) => {
			const text = toTextcatLine(example, shape);
			return text === undefined ? undefined : { text };
		},
		labels: (example) => [...example.cats].filter(([, value]) => value === 1).map(([label]) => label),
	},
} satisfies Record<string, TrainingLineFormat>;

export type TrainingFormat = keyof typeof TRAINING_LINE_FORMATS;
