// The layers, as an allow-list (npm run depcruise). Two programs over a shared base:
//   lib/platform    database client and schema, HTTP plumbing, env parsing, logging, time, workers, i18n, backup
//                   engine: imports nothing above it;
//   lib/core        the product's cryptography and formats (XML, certificates, password and token hashing): only
//                   platform;
//   lib/console     the console program (with app/, components/, proxy.ts, instrumentation.ts and its scripts);
//   lib/enrollment  the enrollment service program (with scripts/enrollment.ts);
// each program imports only core, platform and itself. Nothing in lib/ imports app/ or components/, product code
// never imports test helpers, and there are no import cycles.

// Test code (vitest files, fixtures, benchmarks) may reach across layers to build its world; the rules are about
// product code, and test helpers live outside product folders.
const TESTS = "(\\.test\\.tsx?$|^tests/|^e2e/|^bench/)";
const CONSOLE = "^lib/console/|^(app|components)/|^(proxy|instrumentation)\\.ts$|^scripts/(start-database|rms|console-server)\\.ts$";
const ENROLLMENT = "^lib/enrollment/|^scripts/enrollment\\.ts$";
// What a module may import besides its own layer and those below: the message catalogues and node_modules.
const PROJECT = "^(lib|app|components|scripts|tests|e2e|bench)/|^(proxy|instrumentation)\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "platform-imports-only-platform",
      comment: "lib/platform is the base both programs stand on: it imports nothing of core, the programs, or the app.",
      severity: "error",
      from: { path: "^lib/platform/", pathNot: TESTS },
      to: { path: PROJECT, pathNot: "^lib/platform/" },
    },
    {
      name: "core-imports-only-platform",
      comment: "lib/core (XML, certificates, secrets) is shared by both programs: it imports only itself and platform.",
      severity: "error",
      from: { path: "^lib/core/", pathNot: TESTS },
      to: { path: PROJECT, pathNot: "^lib/(core|platform)/" },
    },
    {
      name: "enrollment-imports-only-core-and-platform",
      comment: "The enrollment service is its own program: itself, core and platform, never the console's code.",
      severity: "error",
      from: { path: ENROLLMENT, pathNot: TESTS },
      to: { path: PROJECT, pathNot: "^lib/(enrollment|core|platform)/" },
    },
    {
      name: "console-imports-only-core-and-platform",
      comment: "The console talks to the enrollment service over HTTP only; it never holds CA keys or the service's store.",
      severity: "error",
      from: { path: CONSOLE, pathNot: TESTS },
      to: { path: PROJECT, pathNot: "^lib/(console|core|platform)/|^(app|components)/|^scripts/start-database\\.ts$" },
    },
    {
      name: "supervisor-reads-only-the-service-settings",
      comment:
        "scripts/start.ts (npm start) starts both programs: the console's code, and of the service only its settings (lib/enrollment/config.ts), to start it.",
      severity: "error",
      from: { path: "^scripts/start\\.ts$" },
      to: { path: PROJECT, pathNot: "^lib/(console|core|platform)/|^lib/enrollment/config\\.ts$|^scripts/start-database\\.ts$" },
    },
    {
      name: "lib-never-imports-app-or-components",
      comment: "Pages and components are the console's top; lib/ never reaches up into them.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^(app|components)/" },
    },
    {
      name: "product-never-imports-test-code",
      comment: "Test helpers live in tests/ (and e2e/, bench/); product code never imports them.",
      severity: "error",
      from: { path: "^(app|components|lib|scripts)/|^(proxy|instrumentation)\\.ts$", pathNot: TESTS },
      to: { path: "^(tests|e2e|bench)/" },
    },
    {
      name: "only-db-opens-a-database",
      comment:
        "Only lib/platform/db imports pg, PGlite or their Drizzle drivers (the enrollment service's store goes through its openDrizzle); tests and benchmarks (not cruised) may open their own.",
      severity: "error",
      from: { path: "^(app|components|lib|scripts)/|^(proxy|instrumentation)\\.ts$", pathNot: `^lib/platform/db/|${TESTS}` },
      to: { path: "node_modules/(pg|@electric-sql/pglite|drizzle-orm/(node-postgres|pglite))/" },
    },
    {
      name: "i18n-knows-words-not-the-domain",
      comment: "Catalogues and the locale negotiator know words, not domain types or the database.",
      severity: "error",
      from: { path: "^lib/platform/i18n/", pathNot: TESTS },
      to: { path: "^lib/platform/db/" },
    },
    {
      name: "app-holds-no-database-handle",
      comment:
        "The console's composition root is below app/: pages read through server-only read functions, routes call domain functions that take no handle, actions get theirs from the action client's middleware. No file under app/ imports Drizzle, lib/platform/db, getDb (lib/console/db.ts) or the renewal context that carries the handle.",
      severity: "error",
      from: { path: "^app/", pathNot: TESTS },
      to: {
        path: "node_modules/drizzle-orm/|^lib/platform/db/|^lib/console/db\\.ts$|^lib/console/renewal/(server|settings)-context\\.ts$",
      },
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
