// Which links a read or a removal selects: the SQL conditions over a dataset's links (bound parameters only) and
// the answer / flag / session tests that run on the parsed task, written once for getExamples, countExamples,
// removeExamples and the Prodigy Dataset Trigger (which filters the rows it polls with the same taskMatcher).
// SQL is in the portable form the dialects translate (`?`, "identifiers").
import { idBound, integerList } from './options';
import type { SqlValue } from './dialect';
import type { GetExamplesOptions, RemoveExamplesSelector, Task } from './types';
import { pyTruthy, toBool, type LinkRow } from './values';

/** Values per `IN (…)` list: far below every backend's parameter limit. */
export const IN_CHUNK = 500;

export function placeholders(count: number): string {
	return Array.from({ length: count }, () => '?').join(', ');
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
	const result: T[][] = [];
	for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
	return result;
}

/** A dataset's links after one id and up to another (`l` is the link table). */
export function linkRange(datasetId: number, options: { afterLinkId?: number; upToLinkId?: number }): { where: string; params: SqlValue[] } {
	let where = 'l."dataset_id" = ? AND l."id" > ?';
	const params: SqlValue[] = [datasetId, idBound(options.afterLinkId, 'afterLinkId') ?? 0];
	const upTo = idBound(options.upToLinkId, 'upToLinkId');
	if (upTo !== undefined) {
		where += ' AND l."id" <= ?';
		params.push(upTo);
	}
	return { where, params };
}

/** The scan column `in_session`: whether the link's example is also linked to the dataset bound to `?` (a session filter). */
export const IN_SESSION_COLUMN =
	'CASE WHEN EXISTS (SELECT 1 FROM "link" s WHERE s."example_id" = l."example_id" AND s."dataset_id" = ?) THEN 1 ELSE 0 END AS in_session';

export type ExampleFilter = (task: Task, row: LinkRow) => boolean;

/** The filters that look inside the task: Example → Get Many / Count / Export and the trigger's New Annotation. */
export type TaskFilters = Pick<GetExamplesOptions, 'answer' | 'flagged' | 'session'>;

/** Where a task was read, for a session filter: its dataset, and whether it is linked to the session's dataset. */
export interface TaskPlace {
	/** The dataset the task was read from; with it, a session may be named by the part after `<dataset>-`. */
	dataset?: string;
	inSessionDataset?: boolean;
}

/** Whether a read filters on the task itself (answer, flag, session), which SQL cannot see inside the JSON. */
export function filtersTasks(options: TaskFilters): boolean {
	return options.answer !== undefined || options.session !== undefined || options.flagged !== undefined;
}

/**
 * The one rule for what a task filter selects, as Prodigy writes and reads these fields; undefined when there is
 * no filter.
 * - answer: the task's `answer` is one of the given ones (a task without an answer matches none).
 * - flagged: Python truthiness of `flagged`, as `prodigy db-out` tests `eg.get("flagged")`: `1` and `"yes"` are
 *   flagged, `0`, `""` and a missing key are not.
 * - session: Prodigy names a named session's dataset `<dataset>-<name>` and writes that string into every answer
 *   as `_session_id` and `_annotator_id`. A task matches when either equals the session, or `<dataset>-<session>`
 *   when the dataset is known (so `alex` names `ner_news-alex`), or when it is linked to the session's dataset
 *   (db-in imports carry no session id).
 */
export function taskMatcher(options: TaskFilters): ((task: Task, place?: TaskPlace) => boolean) | undefined {
	if (!filtersTasks(options)) return undefined;
	const answers = options.answer === undefined ? undefined : new Set<unknown>(Array.isArray(options.answer) ? options.answer : [options.answer]);
	const flagged = options.flagged;
	const session = options.session;
	return (task, place = {}) => {
		if (answers !== undefined && (typeof task.answer !== 'string' || !answers.has(task.answer))) return false;
		if (flagged !== undefined && pyTruthy(task.flagged) !== flagged) return false;
		if (session !== undefined && !place.inSessionDataset) {
			const full = place.dataset === undefined ? undefined : `${place.dataset}-${session}`;
			const ids = [task._session_id, task._annotator_id];
			if (!ids.some((id) => typeof id === 'string' && (id === session || id === full))) return false;
		}
		return true;
	};
}

/**
 * The task tests of a read over `dataset`'s links; undefined when there are none. `in_session` is the scan's
 * column, set when the read was given the session dataset's id.
 */
export function taskFilter(options: GetExamplesOptions, dataset?: string): ExampleFilter | undefined {
	const matches = taskMatcher(options);
	if (matches === undefined) return undefined;
	return (task, row) => matches(task, { dataset, inSessionDataset: toBool(row.in_session) });
}

/** removeExamples' selector as the example columns (`e`) it matches and the values of each, checked and deduplicated. */
export function selectorColumns(selector: RemoveExamplesSelector): Array<[string, number[]]> {
	return [
		['e."input_hash"', integerList(selector?.inputHashes, 'inputHashes')],
		['e."task_hash"', integerList(selector?.taskHashes, 'taskHashes')],
		['e."id"', integerList(selector?.exampleIds, 'exampleIds')],
	];
}
