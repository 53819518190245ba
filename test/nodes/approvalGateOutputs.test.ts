import { ApprovalGate } from '../../nodes/ApprovalGate/ApprovalGate.node';
import { outputCount } from '../../nodes/ApprovalGate/decision';

/** The canvas's outputs: the node description's `outputs` expression evaluated over these parameters. */
function canvasOutputs(parameters: Record<string, unknown>): string[] {
	const expression = new ApprovalGate().description.outputs as string;
	const body = expression.replace(/^=\{\{/, '').replace(/\}\}$/, '');
	const evaluate = new Function('$parameter', `return (${body});`) as (p: Record<string, unknown>) => Array<{ displayName: string }>;
	return evaluate(parameters).map((output) => output.displayName);
}

describe('Approval Gate outputs', () => {
	const combinations = ['rules', 'human'].flatMap((mode) =>
		[false, true].flatMap((limitWaitTime) =>
			['reject', 'timedOutOutput'].map((onTimeout) => ({ mode, limitWaitTime, onTimeout })),
		),
	);

	it.each(combinations)('the canvas and the running node agree for %o', (parameters) => {
		const count = outputCount((name) => parameters[name]);
		expect(canvasOutputs(parameters)).toHaveLength(count);
	});

	it('has a Timed Out output only while a limited wait sends timeouts there', () => {
		expect(canvasOutputs({ mode: 'human', limitWaitTime: true, onTimeout: 'timedOutOutput' })).toEqual([
			'Approved',
			'Rejected',
			'Timed Out',
		]);
		// On Timeout is hidden without a limited wait: a value left from before must not add an output no item can reach.
		expect(canvasOutputs({ mode: 'human', limitWaitTime: false, onTimeout: 'timedOutOutput' })).toEqual(['Approved', 'Rejected']);
		expect(canvasOutputs({ mode: 'rules', limitWaitTime: true, onTimeout: 'timedOutOutput' })).toEqual(['Approved', 'Rejected']);
	});
});
