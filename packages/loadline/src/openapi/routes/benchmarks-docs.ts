import type { RouteCatalog } from "@loadline/service";
import { z } from "zod";
import { benchmarkSchema, waitQuery } from "../../benchmark-routes.ts";
import { json } from "../responses.ts";

const tags = ["Benchmarks"];
const benchmarkAnswer = z
  .looseObject({ runId: z.string(), status: z.string(), jobs: z.number().int(), links: z.record(z.string(), z.string()) })
  .meta({ id: "Benchmark", description: "A benchmark's run: once completed, its throughput, mean latency and cost." });

export const benchmarkRoutes: RouteCatalog = {
  "POST /v1/benchmarks": {
    summary: "Run a benchmark",
    description: "`jobs` iterations of the test's scenarios shared by `concurrency` VUs; `?wait=` holds the answer until it completes.",
    tags,
    query: waitQuery,
    body: benchmarkSchema,
    responses: { 200: json("Completed within `wait`.", benchmarkAnswer), 202: json("Started, not yet complete.", benchmarkAnswer) },
  },
  "GET /v1/benchmarks/:id": {
    summary: "Get a benchmark",
    tags,
    responses: { 200: json("The benchmark's figures (or progress).", benchmarkAnswer) },
  },
};
