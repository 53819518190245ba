// n8n-core logs every node error it sees to the console; the tests assert those errors themselves, so the log is
// noise around what failed. N8N_LOG_LEVEL=info npm test brings it back when debugging.
process.env.N8N_LOG_LEVEL ??= 'silent';
