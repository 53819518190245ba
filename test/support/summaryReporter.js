// Ends a jest run with the plain closing line CI reads: `jest: N passed, M failed, K skipped`.
/** @implements {Pick<import('@jest/reporters').Reporter, 'onRunComplete'>} */
class SummaryReporter {
	/**
	 * @param {Set<import('@jest/reporters').TestContext>} _contexts
	 * @param {import('@jest/reporters').AggregatedResult} results
	 */
	onRunComplete(_contexts, results) {
		const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
		process.stdout.write(
			`jest: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`,
		);
	}
}
module.exports = SummaryReporter;
