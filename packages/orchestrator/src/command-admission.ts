import { API_COMMANDS, type CommandEnvelope, isAgentReport, isWorkerReport } from "@loadline/core";

/**
 * Why a command read off the bus is not taken, or null. Its subject is what NATS permissions
 * control (the API publishes `<ns>.cmd.<tenant>.<type>.<id>`, workers only
 * `<ns>.cmd.<tenant>.run.<run>.<worker>`, agents `<ns>.cmd.<tenant>.agent.<agent>.<agent>`), so
 * the command must say what its subject says: the same tenant and aggregate, a command of that
 * sender's kind, and a report only about the worker (or agent) that sent it.
 */
export function admissionRefusal(subject: string, command: CommandEnvelope): string | null {
  const [, , tenant, type, id, worker, ...rest] = subject.split(".");
  if (rest.length > 0 || tenant !== command.tenantId || type !== command.aggregate.type || id !== command.aggregate.id)
    return `the command does not match its subject ${subject}`;
  if (worker === undefined) return API_COMMANDS.has(command.type) ? null : `${command.type} is not taken from the bus`;
  // An agent reports on its own aggregate, as itself: <ns>.cmd.<tenant>.agent.<agentId>.<agentId>.
  if (command.aggregate.type === "agent")
    return isAgentReport(command) && worker === id ? null : `${command.type} is not this agent's report`;
  if (!isWorkerReport(command)) return `${command.type} is not a worker's report`;
  return command.data.workerId === worker ? null : `a report about worker ${command.data.workerId} sent as worker ${worker}`;
}
