import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { GetExamplesOptions } from '../../../../lib/store/types';

/** The example filters Get Many, Export and Count share, so the three always select the same examples. */
export const exampleFilters: INodeProperties = {
	displayName: 'Filters',
	name: 'filters',
	type: 'collection',
	placeholder: 'Add Filter',
	default: {},
	options: [
		{
			displayName: 'After Link ID',
			name: 'afterLinkId',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description:
				'Only examples added after this point: each example added to a dataset gets a growing link ID (see minLinkId / maxLinkId in Export and Get Stats)',
		},
		{
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
		},
		{
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
		},
		{
			displayName: 'Session or Annotator',
			name: 'session',
			type: 'string',
			default: '',
			placeholder: 'e.g. ner_news-alex',
			description:
				'Only examples from this annotation session: the session dataset name, which for named sessions is &lt;dataset&gt;-&lt;annotator&gt;',
		},
	],
};

export function readFilters(filters: IDataObject): GetExamplesOptions {
	const options: GetExamplesOptions = {};
	const answers = Array.isArray(filters.answer) ? (filters.answer as string[]) : [];
	if (answers.length > 0) options.answer = answers;
	if (typeof filters.session === 'string' && filters.session.trim() !== '') options.session = filters.session.trim();
	if (filters.flagged === 'only') options.flagged = true;
	if (filters.flagged === 'exclude') options.flagged = false;
	if (typeof filters.afterLinkId === 'number' && filters.afterLinkId > 0) options.afterLinkId = filters.afterLinkId;
	return options;
}
