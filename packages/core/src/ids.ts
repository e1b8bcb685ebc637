import { v7 } from "uuid";

/** Time-ordered ids: they sort by creation time and double as the Nats-Msg-Id for dedup. */
export const newId = (): string => v7();

export const DEFAULT_TENANT = "default";
