// Entry point of the enrollment service process (`tsx scripts/enrollment.ts`): env → config → server, clean shutdown on signals.
import "reflect-metadata";
import os from "node:os";
import { enrollmentConfig } from "@/lib/enrollment/config";
import { startEnrollmentService } from "@/lib/enrollment/server";
import { EnrollmentStoreError } from "@/lib/enrollment/store";

async function main(): Promise<void> {
  const loaded = enrollmentConfig();
  if (!loaded.ok) {
    console.error(loaded.message);
    process.exit(2);
  }
  const config = loaded.config;
  let service: Awaited<ReturnType<typeof startEnrollmentService>>;
  try {
    // Sign on worker threads, one per core (bench/: about 1.3× the single-thread rate on 2 cores).
    service = await startEnrollmentService({ ...config, issueWorkers: os.availableParallelism() });
  } catch (error) {
    if (error instanceof EnrollmentStoreError) {
      console.error(`Enrollment service cannot start: ${error.message}`);
    } else if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
      console.error(
        `Enrollment service cannot start: ${config.host}:${config.port} is already in use. Stop the other process or set RMS_ENROLLMENT_PORT to a free port.`,
      );
    } else {
      console.error("Enrollment service cannot start:", error);
    }
    process.exit(1);
  }
  if (service.caCreated) {
    console.log(`Created a new CA hierarchy in ${config.dataDir} (root fingerprint ${service.rootFingerprint}).`);
  }
  const daysLeft = Math.floor((service.serviceCertificateValidUntil.getTime() - Date.now()) / 86_400_000);
  if (daysLeft < 60) {
    console.warn(
      `Warning: the enrollment service's signing certificate ${daysLeft < 0 ? "has expired" : `expires in ${daysLeft} days`} (${service.serviceCertificateValidUntil.toISOString()}); consoles will reject SLCs it signs once it has expired.`,
    );
  }
  console.log(`Enrollment service listening on ${service.url}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`Enrollment service stopping (${signal}).`);
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("Enrollment service did not stop cleanly:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

void main();
