export { type LiveFeeds, liveFeeds } from "./live-feeds.ts";
export { LiveHub, type LiveHubOptions, type LiveMessage } from "./live-hub.ts";
export { LiveQueries } from "./live-queries.ts";
export { liveRoutes } from "./live-routes.ts";
export type { LiveSecond } from "./live-second.ts";
