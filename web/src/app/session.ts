// The login: a bearer token (and an optional purpose) kept in sessionStorage, so it is gone
// when the tab closes and never written to disk by the app.
const TOKEN = "gridgraph.token";
const PURPOSE = "gridgraph.purpose";
const DEVELOPER = "gridgraph.developer";

export interface Session {
  token: string | null;
  purpose: string | null;
  developer: boolean; // development mode without a token (the anonymous developer)
}

export const session = {
  get(): Session {
    return {
      token: sessionStorage.getItem(TOKEN),
      purpose: sessionStorage.getItem(PURPOSE),
      developer: sessionStorage.getItem(DEVELOPER) === "1",
    };
  },
  loggedIn(): boolean {
    const current = session.get();
    return Boolean(current.token) || current.developer;
  },
  logIn(token: string, purpose: string): void {
    sessionStorage.removeItem(DEVELOPER);
    sessionStorage.setItem(TOKEN, token.trim().replace(/^Bearer\s+/i, ""));
    if (purpose.trim()) sessionStorage.setItem(PURPOSE, purpose.trim());
    else sessionStorage.removeItem(PURPOSE);
  },
  asDeveloper(): void {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(PURPOSE);
    sessionStorage.setItem(DEVELOPER, "1");
  },
  logOut(): void {
    for (const key of [TOKEN, PURPOSE, DEVELOPER]) sessionStorage.removeItem(key);
  },
  /** The token's claims (not verified here: the service verifies every request). */
  claims(): Record<string, unknown> | null {
    const token = session.get().token;
    const payload = token?.split(".")[1];
    if (!payload) return null;
    try {
      const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
      return JSON.parse(decodeURIComponent(escape(json))) as Record<string, unknown>;
    } catch {
      return null;
    }
  },
};
