// Which links a read or a removal selects: the SQL conditions over a dataset's links (bound parameters only) and
// the answer / flag / session tests that run on the parsed task, written once for getExamples, countExamples and
// removeExamples. SQL is in the portable form the dialects translate (`?`, "identifiers").
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

/** Whether a read filters on the task itself (answer, flag, session), which SQL cannot see inside the JSON. */
export function filtersTasks(options: GetExamplesOptions): boolean {
	return options.answer !== undefined || options.session !== undefined || options.flagged !== undefined;
}

/**
 * The task tests of a read; undefined when there are none. A session filter matches a task linked to the session
 * dataset (the scan's `in_session`, when read with the session dataset's id) or carrying its session / annotator id.
 */
export function taskFilter(options: GetExamplesOptions): ExampleFilter | undefined {
	const tests: ExampleFilter[] = [];
	if (options.answer !== undefined) {
		const answers = new Set(Array.isArray(options.answer) ? options.answer : [options.answer]);
		tests.push((task) => typeof task.answer === 'string' && answers.has(task.answer));
	}
	if (options.flagged !== undefined) {
		const flagged = options.flagged;
		tests.push((task) => pyTruthy(task.flagged) === flagged);
	}
	if (options.session !== undefined) {
		const session = options.session;
		tests.push((task, row) => toBool(row.in_session) || task._session_id === session || task._annotator_id === session);
	}
	if (tests.length === 0) return undefined;
	return (task, row) => tests.every((test) => test(task, row));
}

/** removeExamples' selector as the example columns (`e`) it matches and the values of each, checked and deduplicated. */
export function selectorColumns(selector: RemoveExamplesSelector): Array<[string, number[]]> {
	return [
		['e."input_hash"', integerList(selector?.inputHashes, 'inputHashes')],
		['e."task_hash"', integerList(selector?.taskHashes, 'taskHashes')],
		['e."id"', integerList(selector?.exampleIds, 'exampleIds')],
	];
}
