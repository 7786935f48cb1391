// GraphiQL bundled from npm (pinned in package.json): served by the service itself, so it
// works on an intranet with no route to a public CDN.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createRoot } from "react-dom/client";
import "graphiql/style.css";

const EXAMPLE = `# GridGraph (development). Send a token in the Headers tab:
# {"Authorization": "Bearer <gridgraph token ...>"}
query Districts {
  districts { code name streets { code name } }
}
`;

const fetcher = createGraphiQLFetcher({ url: new URL("/graphql", window.location.href).href });
const root = document.getElementById("graphiql");
if (root) {
  root.textContent = "";
  createRoot(root).render(<GraphiQL fetcher={fetcher} defaultQuery={EXAMPLE} />);
}
