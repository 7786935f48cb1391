// The benchmark's peer: @neo4j/graphql 7 over the same Neo4j, served by graphql-http on
// node:http. Usage: node peer/server.mjs (env: PEER_PORT, NEO4J_URI, NEO4J_USER,
// NEO4J_PASSWORD). POST /graphql answers GraphQL; GET /healthz says it is up. Each response
// carries x-cypher-round-trips: the transactions' run() calls made for that request.
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import http from "node:http";

import { Neo4jGraphQL } from "@neo4j/graphql";
import { createHandler } from "graphql-http/lib/use/http";
import neo4j from "neo4j-driver";

const HEADER = "x-cypher-round-trips";
const port = Number(process.env.PEER_PORT ?? "4000");
const trips = new AsyncLocalStorage();

function countingTransaction(tx) {
  return new Proxy(tx, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === "run") {
        return (...args) => {
          const counter = trips.getStore();
          if (counter) counter.count += 1;
          return value.apply(target, args);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function countingSession(session) {
  for (const name of ["executeRead", "executeWrite"]) {
    const original = session[name].bind(session);
    session[name] = (work, config) => original((tx) => work(countingTransaction(tx)), config);
  }
  return session;
}

// The driver as @neo4j/graphql sees it: every session counts its transactions' queries.
const realDriver = neo4j.driver(
  process.env.NEO4J_URI ?? "bolt://127.0.0.1:7687",
  neo4j.auth.basic(process.env.NEO4J_USER ?? "neo4j", process.env.NEO4J_PASSWORD ?? ""),
);
const driver = new Proxy(realDriver, {
  get(target, property) {
    const value = Reflect.get(target, property, target);
    if (property === "session") return (...args) => countingSession(value.apply(target, args));
    return typeof value === "function" ? value.bind(target) : value;
  },
});

const typeDefs = readFileSync(new URL("./type_defs.graphql", import.meta.url), "utf8");
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
// @neo4j/graphql keeps its per-request state on the context object: a fresh one per request.
const graphql = createHandler({ schema, context: () => ({}) });

const server = http.createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"alive"}');
    return;
  }
  if (!req.url.startsWith("/graphql")) {
    res.writeHead(404);
    res.end();
    return;
  }
  const counter = { count: 0 };
  const writeHead = res.writeHead.bind(res);
  res.writeHead = (status, ...rest) => {
    res.setHeader(HEADER, String(counter.count));
    return writeHead(status, ...rest);
  };
  trips.run(counter, () => graphql(req, res));
});
server.keepAliveTimeout = 65_000;

async function shutdown() {
  server.close();
  await realDriver.close();
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

server.listen(port, "127.0.0.1", () => console.log(`GRIDGRAPH_PEER_READY ${port}`));
