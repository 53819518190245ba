/** Tests live under test/ only (never nodes/ or credentials/, which are compiled into the published dist). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
	// The real-n8n suite has its own runner (npm run test:e2e); it is too slow for the unit run.
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
	testTimeout: 60000,
	setupFiles: ['<rootDir>/test/support/quietLogs.js'],
	reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
};
