// The enrollment service as scripts/enrollment.ts starts it, plus a worker pool (BENCH_ISSUE_WORKERS): the benchmark's variant.
import "reflect-metadata";
import { loadEnrollmentConfig } from "@/lib/enrollment/config";
import { startEnrollmentService } from "@/lib/enrollment/server";

const loaded = loadEnrollmentConfig(process.env);
if (!loaded.ok) {
  console.error(loaded.message);
  process.exit(2);
}
const service = await startEnrollmentService({ ...loaded.config, issueWorkers: Number(process.env.BENCH_ISSUE_WORKERS ?? "0") });
console.log(`Enrollment service (bench) listening on ${service.url} with ${service.issueWorkers} issuing workers`);
const stop = () => {
  service.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
