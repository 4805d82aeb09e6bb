// Layers a tool enforces (issue 8): infra never imports the domain, only lib/platform/db opens a database, the console never
// loads the enrollment service's CA, store or issuing code, lib/platform/i18n stays domain-free, app/ reads data through lib/*,
// and there are no import cycles. Run: npm run depcruise.

// Test code (vitest files, fixtures) may reach across layers to build its world; the rules are about product code.
const TESTS = "(\\.test\\.tsx?$|(^|/)test-support\\.ts$|^tests/|^e2e/|^bench/)";
const DOMAIN = "^lib/console/(renewal|certificates|enrollment|auth|audit|clusters|actions|provisioning)/";
// The enrollment service's internals; lib/enrollment/config.ts (its settings) is the one public module.
const ENROLLMENT_INTERNALS = "^lib/enrollment/(?!config\\.ts$)";
// Console code: everything but the enrollment service and its entry point (scripts/start.ts only spawns the service).
const CONSOLE =
  "^(app|components)/|^lib/console/(?!enrollment/)|^(proxy|instrumentation)\\.ts$|^scripts/(start|start-database|rms|console-server)\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "db-imports-no-domain",
      comment:
        "lib/platform/db is infrastructure: schema, migrations and the client. Domain code lives above it (first run: lib/console/provisioning).",
      severity: "error",
      from: { path: "^lib/platform/db/", pathNot: TESTS },
      to: { path: DOMAIN },
    },
    {
      name: "only-db-opens-a-database",
      comment:
        "Only lib/platform/db imports pg, PGlite or their Drizzle drivers (the enrollment service's store goes through lib/platform/db's openDrizzle); tests and benchmarks (not cruised) may open their own.",
      severity: "error",
      from: { path: "^(app|components|lib|scripts)/|^(proxy|instrumentation)\\.ts$", pathNot: `^lib/platform/db/|${TESTS}` },
      to: { path: "node_modules/(pg|@electric-sql/pglite|drizzle-orm/(node-postgres|pglite))/" },
    },
    {
      name: "console-never-loads-enrollment-internals",
      comment: "The console and the enrollment service talk over HTTP only; the console never holds CA keys or the service's store.",
      severity: "error",
      from: { path: CONSOLE, pathNot: TESTS },
      to: { path: ENROLLMENT_INTERNALS },
    },
    {
      name: "i18n-imports-no-domain",
      comment: "Catalogues and the locale negotiator know words, not domain types.",
      severity: "error",
      from: { path: "^lib/platform/i18n/", pathNot: TESTS },
      to: { path: `${DOMAIN}|^lib/platform/db/` },
    },
    {
      name: "app-reads-data-through-lib",
      comment:
        "Routes compose; they reach data through lib/* query functions (getDb() from lib/platform/db only hands them the handle), never Drizzle, the schema or the client.",
      severity: "error",
      from: { path: "^app/", pathNot: TESTS },
      to: { path: "node_modules/drizzle-orm/|^lib/platform/db/(schema|client)\\.ts$" },
    },
    {
      name: "no-circular",
      comment: "Import cycles hide layering mistakes and make initialisation order matter.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)\\.next/" },
    // Type-only imports count: a layer that needs another's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".d.ts"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
