// The example filters, one description for every node that selects examples by what is inside them: Example →
// Get Many / Count / Export (Prodigy Dataset) and New Annotation (Prodigy Dataset Trigger). What each filter
// selects is lib's taskMatcher (lib/store/filters.ts); this file is only how the panel asks for it.
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { GetExamplesOptions } from '../../lib/store/types';

const answerFilter: INodeProperties = {
	displayName: 'Answer',
	name: 'answer',
	type: 'multiOptions',
	options: [
		{ name: 'Accept', value: 'accept' },
		{ name: 'Ignore', value: 'ignore' },
		{ name: 'Reject', value: 'reject' },
	],
	default: [],
	description: 'Only examples with one of these answers (all answers when empty)',
};

const flaggedFilter: INodeProperties = {
	displayName: 'Flagged',
	name: 'flagged',
	type: 'options',
	options: [
		{ name: 'All Examples', value: 'any' },
		{ name: 'Only Flagged', value: 'only', description: 'Examples an annotator flagged in the Prodigy app' },
		{ name: 'Only Not Flagged', value: 'exclude' },
	],
	default: 'any',
	description: 'Whether to filter on the flag annotators set on examples they want to discuss',
};

/**
 * Version 1 of the trigger stored Flagged as flagged / notFlagged. Its saved nodes keep this list, so the editor
 * does not mark their value as unsupported; the values mean the same as only / exclude.
 */
const triggerV1FlaggedFilter: INodeProperties = {
	...flaggedFilter,
	options: [
		{ name: 'All Examples', value: 'any' },
		{ name: 'Only Flagged', value: 'flagged', description: 'Examples an annotator flagged in the Prodigy app' },
		{ name: 'Only Not Flagged', value: 'notFlagged' },
	],
	displayOptions: { show: { '@version': [1] } },
};

const sessionFilter: INodeProperties = {
	displayName: 'Session or Annotator',
	name: 'session',
	type: 'string',
	default: '',
	placeholder: 'e.g. ner_news-alex',
	description:
		'Only examples from this annotation session: the session dataset name, which for named sessions is &lt;dataset&gt;-&lt;annotator&gt; (Prodigy writes it into each answer as _session_id and _annotator_id)',
};

const afterLinkIdFilter: INodeProperties = {
	displayName: 'After Link ID',
	name: 'afterLinkId',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description:
		'Only examples added after this point: each example added to a dataset gets a growing link ID (see minLinkId / maxLinkId in Export and Get Stats)',
};

const collection = (options: INodeProperties[]): INodeProperties => ({
	displayName: 'Filters',
	name: 'filters',
	type: 'collection',
	placeholder: 'Add Filter',
	default: {},
	options,
});

/** The filters of Example → Get Many, Export and Count, so the three always select the same examples. */
export const exampleFilters: INodeProperties = collection([afterLinkIdFilter, answerFilter, flaggedFilter, sessionFilter]);

/**
 * The same filters on the trigger's New Annotation (stamp its displayOptions on it). No After Link ID: the
 * trigger reads from its own cursor. From trigger version 1.1 on, Flagged is the very option above.
 */
export const annotationFilters: INodeProperties = collection([
	answerFilter,
	{ ...flaggedFilter, displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } } },
	triggerV1FlaggedFilter,
	sessionFilter,
]);

/** Flagged's stored values; flagged / notFlagged are trigger version 1's. A Map: no inherited keys such as `toString`. */
const FLAGGED_VALUES: ReadonlyMap<unknown, boolean> = new Map([
	['only', true],
	['flagged', true],
	['exclude', false],
	['notFlagged', false],
]);

/** The Filters collection as the store's read options (for the trigger: as taskMatcher's filters). */
export function readFilters(filters: IDataObject): GetExamplesOptions {
	const options: GetExamplesOptions = {};
	const answers = Array.isArray(filters.answer) ? (filters.answer as string[]) : [];
	if (answers.length > 0) options.answer = answers;
	if (typeof filters.session === 'string' && filters.session.trim() !== '') options.session = filters.session.trim();
	const flagged = FLAGGED_VALUES.get(filters.flagged);
	if (flagged !== undefined) options.flagged = flagged;
	if (typeof filters.afterLinkId === 'number' && filters.afterLinkId > 0) options.afterLinkId = filters.afterLinkId;
	return options;
}
