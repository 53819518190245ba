// Example → Add's parameters as the editor shows them; add.operation.ts reads them.
import type { INodeProperties } from 'n8n-workflow';

import { forOperation, newDatasetLocator } from '../../../shared/descriptions';
import { skipDuplicatesOption } from '../common';

const properties: INodeProperties[] = [
	newDatasetLocator({ description: 'The dataset to add the examples to; created when it does not exist yet (like "prodigy db-in")' }),
	{
		// From version 1.1 on the panel shows it and a second press of Execute adds nothing: the tasks it would add
		// again are the same questions (same task hash), skipped and output with skipped: true.
		...skipDuplicatesOption('tasks', 'the dataset', 'task'),
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
	},
	{
		displayName: 'Input',
		name: 'inputMode',
		type: 'options',
		options: [
			{
				name: 'Whole Item',
				value: 'json',
				description: 'Each item is one Prodigy task as it is, e.g. {"text": "...", "meta": {...}}',
			},
			{
				name: 'Mapped Fields',
				value: 'fields',
				description: 'Build one task per item from fields you map below',
			},
			{
				name: 'File (JSONL or JSON)',
				value: 'file',
				description: 'Read every task from a JSONL or JSON file attached to the item',
			},
		],
		default: 'json',
		description: 'Where the tasks come from',
	},
	{
		// Only where it matters: a file is read losslessly, n8n items are not.
		displayName:
			'n8n turns a number written 10.0 into 10. Prodigy\'s duplicate check tells them apart, so if the spans or options of your tasks hold numbers like that, add the tasks from a JSONL file (Input: File) to match Prodigy exactly.',
		name: 'wholeNumberNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { inputMode: ['json', 'fields'] } },
	},
	{
		displayName: 'Content Field',
		name: 'contentField',
		type: 'options',
		options: [
			{ name: 'HTML', value: 'html', description: 'HTML to show (Prodigy\'s "html" field)' },
			{ name: 'Image', value: 'image', description: 'Image URL or data URI' },
			{ name: 'Input', value: 'input', description: 'Any other input (Prodigy\'s "input" field)' },
			{ name: 'Text', value: 'text', description: 'Text to annotate' },
		],
		default: 'text',
		description: 'What kind of content the task shows annotators',
		displayOptions: { show: { inputMode: ['fields'] } },
	},
	{
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.body }}',
		description: 'The text, image URL or HTML annotators see; usually an expression pointing at a field of the item',
		displayOptions: { show: { inputMode: ['fields'] } },
	},
	{
		displayName: 'Label',
		name: 'label',
		type: 'string',
		default: '',
		placeholder: 'e.g. COMPLAINT',
		description: 'Label to accept or reject, for yes/no (binary) annotation; leave empty for none',
		displayOptions: { show: { inputMode: ['fields'] } },
	},
	{
		displayName: 'Spans (JSON)',
		name: 'spans',
		type: 'json',
		default: '',
		placeholder: '[{"start": 0, "end": 5, "label": "ORG"}]',
		description: 'Pre-highlighted entities or model suggestions as a JSON array; leave empty for none',
		displayOptions: { show: { inputMode: ['fields'] } },
	},
	{
		displayName: 'Choice Options (JSON)',
		name: 'choices',
		type: 'json',
		default: '',
		description: 'Answer choices for multiple-choice annotation (Prodigy\'s "options"), as a JSON array. Leave empty for none.',
		hint: 'Each choice is an object such as {"id": "urgent", "text": "Urgent"}',
		displayOptions: { show: { inputMode: ['fields'] } },
	},
	{
		displayName: 'Meta Fields',
		name: 'metaFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Meta Field',
		default: {},
		description: 'Fields shown to annotators below the task (Prodigy\'s "meta"), e.g. the ticket ID',
		displayOptions: { show: { inputMode: ['fields'] } },
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. ticketId',
						description: 'Name of the meta field as annotators see it',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. {{ $json.ticket }}',
						description: 'Value of the meta field, usually an expression pointing at the item',
					},
				],
			},
		],
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The binary field of the item that holds the JSONL or JSON file (e.g. from Read File or HTTP Request)',
		displayOptions: { show: { inputMode: ['file'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 500,
				description: 'Tasks written per database transaction: each batch is saved completely or not at all',
			},
			{
				displayName: 'Create Dataset If Missing',
				name: 'createDataset',
				type: 'boolean',
				default: true,
				description: 'Whether to create the dataset when it does not exist yet (like "prodigy db-in")',
			},
			{
				displayName: 'Custom Input Keys',
				name: 'inputKeys',
				type: 'string',
				default: 'text, image, html, input',
				description: 'Fields that identify the input, separated by commas (used with Hash Keys: Custom)',
				displayOptions: { show: { hashPreset: ['custom'] } },
			},
			{
				displayName: 'Custom Task Keys',
				name: 'taskKeys',
				type: 'string',
				default: 'spans, label, options, arcs',
				description: 'Fields that identify the question asked about the input, separated by commas (used with Hash Keys: Custom)',
				displayOptions: { show: { hashPreset: ['custom'] } },
			},
			{
				displayName: 'Default Answer',
				name: 'defaultAnswer',
				type: 'options',
				options: [
					{ name: 'None', value: 'none', description: 'Tasks without an answer stay unanswered (to be annotated)' },
					{ name: 'Accept', value: 'accept', description: 'Tasks without an answer count as accepted, like "prodigy db-in"' },
				],
				default: 'none',
				description: 'The answer given to tasks that have none',
			},
			{
				displayName: 'Fixed Meta Fields',
				name: 'fixedMeta',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Field',
				default: {},
				description: 'Fields added to every task\'s meta, e.g. the batch or customer',
				options: [
					{
						displayName: 'Field',
						name: 'field',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'Name of the meta field' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '', description: 'Value written to every task' },
						],
					},
				],
			},
			{
				displayName: 'Hash Keys',
				name: 'hashPreset',
				type: 'options',
				options: [
					{
						name: 'Custom',
						value: 'custom',
						description: 'Choose the fields yourself',
					},
					{
						name: 'Prodigy Default',
						value: 'default',
						description: 'Input: text, image, html, input. Question: spans, label, options, arcs.',
					},
					{
						name: 'Review Recipe',
						value: 'review',
						description: 'The keys Prodigy\'s review recipe uses, so answers to the same question group together',
					},
				],
				default: 'default',
				description: 'Which fields decide the hashes Prodigy uses to recognise the same input and the same question',
			},
			{
				displayName: 'Meta Precedence',
				name: 'metaPrecedence',
				type: 'options',
				options: [
					{ name: 'Keep Task Values', value: 'task', description: 'A meta field the task already has is kept' },
					{ name: 'Use Node Values', value: 'node', description: 'Source, Region and Fixed Meta Fields overwrite the task\'s own' },
				],
				default: 'task',
				description: 'Which value wins when a task\'s meta already has a field the node sets',
			},
			{
				displayName: 'Output Stored Task',
				name: 'includeTask',
				type: 'boolean',
				default: false,
				description: 'Whether to include the task exactly as saved (with hashes, meta and answer) under "task" in each output item',
			},
			{
				displayName: 'Recompute Hashes',
				name: 'overwriteHashes',
				type: 'boolean',
				default: false,
				description:
					'Whether to recompute _input_hash and _task_hash even when a task carries them (off: carried hashes are kept, as Prodigy does)',
			},
			{
				displayName: 'Region',
				name: 'region',
				type: 'string',
				default: '',
				placeholder: 'e.g. eu-west',
				description: 'Written to every task\'s meta as "region"',
			},
			{
				displayName: 'Session',
				name: 'session',
				type: 'options',
				options: [
					{ name: 'None', value: 'none', description: 'Only link examples to the dataset' },
					{
						name: 'Timestamped',
						value: 'timestamped',
						description: 'Also link them to a session dataset named by the start time, like "prodigy db-in"',
					},
					{
						name: 'Named',
						value: 'named',
						description: 'Also link them to the session dataset &lt;dataset&gt;-&lt;name&gt;, as an annotator session would',
					},
				],
				default: 'none',
				description: 'Whether the examples also go into a session dataset, as if they came from an annotation session',
			},
			{
				displayName: 'Session Name',
				name: 'sessionName',
				type: 'string',
				default: '',
				placeholder: 'e.g. alex',
				description: 'Name of the session (used with Session: Named); the session dataset is &lt;dataset&gt;-&lt;name&gt;',
				displayOptions: { show: { session: ['named'] } },
			},
			{
				// Version 1 kept it here with "No" as the default; saved version-1 nodes keep that meaning.
				...skipDuplicatesOption('tasks', 'the dataset', 'none'),
				displayOptions: { show: { '@version': [1] } },
			},
			{
				displayName: 'Source',
				name: 'source',
				type: 'string',
				default: '',
				placeholder: 'e.g. zendesk',
				description: 'Written to every task\'s meta as "source" (where the task came from)',
			},
		],
	},
];

export const description = forOperation('example', 'add', properties);
