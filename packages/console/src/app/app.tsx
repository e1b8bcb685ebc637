import { useEffect, useState } from "preact/hooks";
import { credential, onSignedOut, request } from "./api.ts";
import { ComparePage } from "./pages/compare.tsx";
import { FleetPage } from "./pages/fleet.tsx";
import { LoginPage } from "./pages/login.tsx";
import { ProjectionsPage } from "./pages/projections.tsx";
import { RunPage } from "./pages/run.tsx";
import { RunsPage } from "./pages/runs.tsx";
import { TestPage } from "./pages/test.tsx";
import { TestsPage } from "./pages/tests.tsx";
import { href, type Route, useRoute } from "./router.ts";
import type { Whoami } from "./types.ts";

type Session = { state: "checking" } | { state: "out"; reason?: string } | { state: "in"; who: Whoami };

/** The console: signed in, a header with the sections and who is signed in, and the page of the hash route. */
export function App() {
  const [session, setSession] = useState<Session>(() => (credential.get() ? { state: "checking" } : { state: "out" }));
  const route = useRoute();

  useEffect(() => onSignedOut(() => setSession({ state: "out", reason: "Signed out: the credential was refused or removed." })), []);
  useEffect(() => {
    if (session.state !== "checking") return;
    request<Whoami>("/v1/whoami")
      .then((who) => setSession({ state: "in", who }))
      .catch(() => setSession({ state: "out" }));
  }, [session.state]);

  if (session.state === "checking") return <div class="boot">Loading…</div>;
  if (session.state === "out") return <LoginPage reason={session.reason} onSignedIn={(who) => setSession({ state: "in", who })} />;
  const section = route.parts[0] ?? "tests";
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href={href("tests")}>
          <span class="logo">◢</span> Loadline
        </a>
        <nav>
          {(["tests", "runs", "fleet", "projections"] as const).map((s) => (
            <a key={s} href={href(s)} class={section === s ? "active" : ""} data-nav={s}>
              {s[0]!.toUpperCase() + s.slice(1)}
            </a>
          ))}
        </nav>
        <div class="who" data-who>
          <span class="tenant" title={session.who.actor}>
            {session.who.tenantId}
          </span>
          <span class="role">{session.who.platformAdmin ? `${session.who.role} · platform` : session.who.role}</span>
          <button type="button" class="link" onClick={() => credential.clear()}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        <Page route={route} who={session.who} />
      </main>
    </div>
  );
}

function Page({ route, who }: { route: Route; who: Whoami }) {
  const [section = "tests", id, sub] = route.parts;
  switch (section) {
    case "tests":
      return id ? <TestPage id={id} key={id} /> : <TestsPage query={route.query} />;
    case "runs":
      if (id && sub === "compare")
        return <ComparePage id={id} to={route.query.get("to") ?? "baseline"} key={`${id}:${route.query.get("to")}`} />;
      return id ? <RunPage id={id} key={id} /> : <RunsPage query={route.query} />;
    case "fleet":
      return <FleetPage who={who} />;
    case "projections":
      return <ProjectionsPage />;
    default:
      return <div class="empty">No such page: #{route.parts.join("/")}</div>;
  }
}
