// Compiled by `cargo xtask openapi` beside api.d.ts, the types openapi-typescript generated from
// the OpenAPI document: what a client written against the document would use. It fails when the
// generated code does not compile, or no longer describes the escalation a widget sends.
import type { components, operations, paths } from "./api";

type Escalate = paths["/api/v1/escalations"]["post"];
export type EscalationBody = NonNullable<Escalate["requestBody"]>["content"]["application/json"];
export type EscalationCreated = Escalate["responses"][201]["content"]["application/json"];

// Every operation has a name of its own: a client calls operations by these names.
export type OperationName = keyof operations;

export const problem: components["schemas"]["Problem"] = {
  type: "/problems/validation",
  title: "Validation failed",
  status: 422,
  detail: "the message is empty",
};
