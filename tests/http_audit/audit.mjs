// Runs graphql-http's server audit against the GraphQL URL given as the only argument and
// prints one JSON array on stdout: every audit's id, name, status (ok, notice, warn, error)
// and reason. tests/server/test_graphql_http_audit.py judges the results.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
const results = await auditServer({ url, fetchFn: fetch });
const summary = results.map((result) => ({
  id: result.id,
  name: result.name,
  status: result.status,
  reason: result.status === 'ok' ? null : String(result.reason),
}));
process.stdout.write(JSON.stringify(summary));
