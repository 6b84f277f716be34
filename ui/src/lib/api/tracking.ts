import type { Piece } from "$lib/bindings/Piece";
import type { PieceState } from "$lib/bindings/PieceState";
import type { PieceStatus } from "$lib/bindings/PieceStatus";
import type { TrackingStatus } from "$lib/bindings/TrackingStatus";
import { call } from "./client";

export type { Piece, PieceState, PieceStatus, TrackingStatus };

/** Creates or repairs the configuration set, topic, policy, event destination, relay registration and subscription. */
export const connectTracking = () => call<TrackingStatus>("tracking_connect");

export const pieceLabels: Record<Piece, string> = {
  configuration_set: "SES configuration set",
  topic: "SNS topic",
  topic_policy: "Topic access policy",
  event_destination: "Event destination",
  relay: "Relay registration",
  subscription: "Relay subscription",
};

export const stateLabels: Record<PieceState, string> = {
  ok: "In place",
  created: "Created",
  repaired: "Repaired",
  pending: "Waiting for the relay",
  failed: "Failed",
  skipped: "Not tried",
};
