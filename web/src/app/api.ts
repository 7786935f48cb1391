// The one way the app talks to the service: POST /graphql with the user's own token, so
// scope, masking, agreements and audit apply exactly as for any other client.
import type { TypedDocumentString } from "../generated/graphql";
import { session } from "./session";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Run a typed document; resolves to its data, rejects with the first error's code. */
export async function gql<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/json",
  };
  const { token, purpose } = session.get();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (purpose) headers["X-Purpose"] = purpose;
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  let body: GraphQLBody<TResult>;
  try {
    body = (await response.json()) as GraphQLBody<TResult>;
  } catch {
    throw new ApiError(`HTTP ${response.status}`, "HTTP_ERROR", response.status);
  }
  const first = body.errors?.[0];
  if (first) {
    throw new ApiError(first.message, first.extensions?.code ?? "ERROR", response.status);
  }
  if (!body.data) throw new ApiError(`HTTP ${response.status}`, "HTTP_ERROR", response.status);
  return body.data;
}
