import type { INodeProperties, IWebhookDescription, WebhookType } from 'n8n-workflow';

import { datasetLocator } from '../shared/descriptions';

export const OUTPUT_NAMES = ['Approved', 'Rejected'];
export const TIMED_OUT_OUTPUT_NAME = 'Timed Out';

/**
 * The approver's link resumes the waiting execution through these (n8n's send-and-wait pattern): a GET shows the
 * approver page and changes nothing, only a POST decides.
 */
const resumeWebhooks: IWebhookDescription[] = (['GET', 'POST'] as const).map((httpMethod) => ({
	name: 'default',
	httpMethod,
	responseMode: 'onReceived',
	responseData: '',
	path: '={{ $nodeId }}',
	restartWebhook: true,
	isFullPath: true,
}));

/**
 * The gate's own status page, a production webhook n8n registers while the workflow is published. A resume URL
 * stops reaching the node once its execution has gone on (n8n's waiting-webhook server then answers "has finished
 * already" itself), so a published run sends the approver this link instead: it shows the decision form while the
 * request waits (the form posts to the resume URL) and who decided what and when afterwards.
 *
 * Named "setup" because n8n-workflow's WebhookType allows only "default" and "setup" (n8n's Chat Trigger also serves
 * its page from a GET webhook named so). Registered only for Human Approval in a published workflow: n8n builds
 * the workflow with active = true when it registers production webhooks and active = false for test runs, so a
 * manual run registers no test webhook for it (which would make n8n wait for a call to it).
 */
export const STATUS_WEBHOOK: WebhookType = 'setup';
export const STATUS_PATH = 'approval';
const statusWebhook: IWebhookDescription = {
	name: STATUS_WEBHOOK,
	httpMethod: '={{ $workflow.active === true && $parameter["mode"] === "human" ? "GET" : "" }}',
	responseMode: 'onReceived',
	responseData: '',
	path: STATUS_PATH,
	restartWebhook: false,
	// The URL only works with the query a request's link carries; the node's panel has nothing to show.
	ndvHideUrl: true,
	ndvHideMethod: true,
};

export const webhooks: IWebhookDescription[] = [...resumeWebhooks, statusWebhook];

const human = { show: { mode: ['human'] } };

export const properties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		default: 'rules',
		options: [
			{
				name: 'Rules',
				value: 'rules',
				description: 'Approve or reject automatically by checks on the dataset or on item fields',
			},
			{
				name: 'Human Approval',
				value: 'human',
				description: 'Pause the workflow until a person approves or rejects on a web page',
			},
		],
	},
	{
		...datasetLocator({ description: 'The dataset being approved; every decision is recorded in its meta ("approvals")' }),
	},
	{
		displayName: 'Facts From',
		name: 'factsFrom',
		type: 'options',
		default: 'dataset',
		options: [
			{
				name: 'Dataset',
				value: 'dataset',
				description: 'Count annotations, annotators, answers and agreement in the dataset, and compute its version',
			},
			{ name: 'Item Fields', value: 'item', description: 'Use numbers the incoming items carry (e.g. from Get Stats)' },
		],
		description: 'Where the numbers the rules check come from',
	},
	{
		displayName: 'Facts',
		name: 'facts',
		type: 'collection',
		placeholder: 'Add fact',
		default: {},
		displayOptions: { show: { factsFrom: ['item'] } },
		options: [
			{ displayName: 'Agreement (Kappa)', name: 'kappa', type: 'number', default: 0, typeOptions: { numberPrecision: 4 } },
			{ displayName: 'Agreement (Percent)', name: 'percentAgreement', type: 'number', default: 0, typeOptions: { numberPrecision: 4 }, description: 'Share of agreeing annotator pairs, 0 to 1' },
			{ displayName: 'Annotations', name: 'annotations', type: 'number', default: 0 },
			{ displayName: 'Annotators', name: 'annotators', type: 'number', default: 0 },
			{ displayName: 'Ignore Share', name: 'ignoreShare', type: 'number', default: 0, typeOptions: { numberPrecision: 4 }, description: 'Share of ignore answers, 0 to 1' },
			{ displayName: 'Reject Share', name: 'rejectShare', type: 'number', default: 0, typeOptions: { numberPrecision: 4 }, description: 'Share of reject answers, 0 to 1' },
			{ displayName: 'Version ID', name: 'versionId', type: 'string', default: '', description: 'The dataset version the decision is about' },
		],
	},
	{
		displayName: 'Rules',
		name: 'rules',
		type: 'collection',
		placeholder: 'Add rule',
		default: {},
		description: 'Checks that must all pass; in Human Approval mode they are shown to the approver',
		options: [
			{
				displayName: 'Agreement By',
				name: 'agreementBy',
				type: 'options',
				default: 'answer',
				options: [
					{ name: 'Answer', value: 'answer', description: 'Accept / reject / ignore (binary recipes)' },
					{ name: 'Answer and Annotation', value: 'annotation', description: 'Also the spans, label or chosen options' },
				],
				description: 'What two annotators of the same input must share to agree',
			},
			{
				displayName: 'Agreement Measure',
				name: 'agreementMetric',
				type: 'options',
				default: 'kappa',
				options: [
					{ name: "Kappa (Cohen's for Two Annotators, Fleiss' for More)", value: 'kappa' },
					{ name: 'Percent Agreement', value: 'percent' },
				],
			},
			{ displayName: 'Max Ignore Share', name: 'maxIgnoreShare', type: 'number', default: 0.2, typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 4 }, description: 'Highest allowed share of ignore answers' },
			{ displayName: 'Max Reject Share', name: 'maxRejectShare', type: 'number', default: 0.5, typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 4 }, description: 'Highest allowed share of reject answers' },
			{
				displayName: 'Min Agreement',
				name: 'minAgreement',
				type: 'number',
				default: 0.6,
				typeOptions: { numberPrecision: 4 },
				description: 'Lowest allowed inter-annotator agreement, over inputs annotated by at least two annotators',
			},
			{ displayName: 'Min Annotations', name: 'minAnnotations', type: 'number', default: 100, typeOptions: { minValue: 0 }, description: 'Fewest answered examples (accept, reject or ignore)' },
			{ displayName: 'Min Annotators', name: 'minAnnotators', type: 'number', default: 2, typeOptions: { minValue: 0 }, description: 'Fewest distinct annotators' },
			{ displayName: 'Required Version ID', name: 'requiredVersionId', type: 'string', default: '', description: 'The data must be exactly this version (full ID or its first 8+ characters)' },
		],
	},
	{
		displayName: 'Message for the Approver',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: 'Please review this dataset before it is used for training.',
		displayOptions: human,
	},
	{
		displayName: 'Send Approval Link To',
		name: 'notifyUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://hooks.slack.com/services/...',
		description:
			'Optional URL that receives a POST with the approval link before the workflow waits (JSON with "text", Slack / Teams / Mattermost compatible). The link is also in this node\'s output while it waits.',
		displayOptions: human,
	},
	{
		displayName: 'Limit Wait Time',
		name: 'limitWaitTime',
		type: 'boolean',
		default: true,
		description: 'Whether to stop waiting after a while and treat the request as timed out',
		displayOptions: human,
	},
	{
		displayName: 'Wait Amount',
		name: 'waitAmount',
		type: 'number',
		default: 24,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		displayOptions: { show: { mode: ['human'], limitWaitTime: [true] } },
	},
	{
		displayName: 'Wait Unit',
		name: 'waitUnit',
		type: 'options',
		default: 'hours',
		options: [
			{ name: 'Minutes', value: 'minutes' },
			{ name: 'Hours', value: 'hours' },
			{ name: 'Days', value: 'days' },
		],
		displayOptions: { show: { mode: ['human'], limitWaitTime: [true] } },
	},
	{
		displayName: 'On Timeout',
		name: 'onTimeout',
		type: 'options',
		noDataExpression: true,
		default: 'reject',
		options: [
			{ name: 'Send to Rejected', value: 'reject', description: 'With reason "timeout"' },
			{ name: 'Send to a Timed Out Output', value: 'timedOutOutput' },
		],
		displayOptions: { show: { mode: ['human'], limitWaitTime: [true] } },
	},
	{
		displayName: 'Decision Field',
		name: 'resultField',
		type: 'string',
		default: 'approval',
		description: 'Field of the output items that holds the decision, the checks and the version',
	},
];
