// Prodigy's rules for dataset names, as plain functions.
import { InvalidDatasetNameError } from './errors';

/** `dataset.name` is VARCHAR(255): PostgreSQL and MySQL count characters (code points), not bytes. */
export const MAX_DATASET_NAME_LENGTH = 255;

/** The reason a name is rejected, or null when Prodigy accepts it. */
export function datasetNameProblem(name: unknown): string | null {
	if (typeof name !== 'string') return 'must be a string';
	if (name.length === 0) return 'must not be empty';
	// PostgreSQL cannot hold a NUL in text at all (it fails the statement with an encoding error), and no Prodigy
	// dataset has one: the command line that names datasets cannot pass it.
	if (name.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
	if ([...name].length > MAX_DATASET_NAME_LENGTH) return `must be at most ${MAX_DATASET_NAME_LENGTH} characters`;
	// Prodigy refuses commas and spaces: its CLI splits dataset lists on commas (`db-merge a,b`), and a
	// space would break `<dataset>-<session>` names in URLs. Tabs and line breaks are refused for the same reason.
	if (name.includes(',')) return 'must not contain a comma';
	// A lone surrogate cannot be encoded as UTF-8: the database would store U+FFFD and the name could not be found.
	if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)) {
		return 'must not contain a lone surrogate (broken Unicode text)';
	}
	if (/\s/u.test(name)) return 'must not contain spaces or other whitespace';
	return null;
}

/** Throws InvalidDatasetNameError when Prodigy would refuse `name`. */
export function validateDatasetName(name: string): void {
	const problem = datasetNameProblem(name);
	if (problem !== null) {
		throw new InvalidDatasetNameError(`Invalid dataset name ${JSON.stringify(name)}: it ${problem}`, {
			hint: 'Use letters, digits, "_" or "-", without commas or spaces, at most 255 characters (e.g. "ner_news").',
		});
	}
}

/**
 * Throws InvalidDatasetNameError for a name no dataset can have on any backend (a NUL), so that looking it up fails
 * clearly rather than in the driver. Lookups apply no other rule: datasets Prodigy created under looser rules must
 * still be found.
 */
export function validateLookupName(name: string): void {
	if (typeof name === 'string' && name.includes('\u0000')) validateDatasetName(name);
}

/** The session dataset Prodigy's server uses for `?session=<session>`: `<dataset>-<session>`, which is also
 * the answers' `_session_id` / `_annotator_id`. */
export function sessionDatasetName(dataset: string, session: string): string {
	if (session.length === 0) {
		throw new InvalidDatasetNameError('Session name must not be empty', {
			hint: 'Give the annotator or session name, e.g. "alex" for the session dataset "<dataset>-alex".',
		});
	}
	return `${dataset}-${session}`;
}

/** The name `db-in` gives its session dataset: the start time `YYYY-MM-DD_HH-MM-SS` in local time. */
export function timestampSessionName(date: Date = new Date()): string {
	const pad = (value: number) => String(value).padStart(2, '0');
	return (
		`${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
		`_${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}`
	);
}
