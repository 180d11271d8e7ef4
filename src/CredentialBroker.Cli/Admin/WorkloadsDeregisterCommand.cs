using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>workloads deregister ID --reason R</c>: deregisters a workload and revokes its credentials.</summary>
public static class WorkloadsDeregisterCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Workload id" };
        var reason = new Option<string>("--reason") { Description = "Why (audit log and the revoked credentials)", Required = true };
        var command = new Command("deregister", """
            Deregister a workload: it can no longer issue or renew, and its credentials are revoked at once

            Deregistering an already deregistered workload changes nothing.

            Example:
              brokerctl workloads deregister 7c1d... --reason "service decommissioned"
            """)
        {
            id, reason,
        };
        CommandAction.Set(command, env, async (ctx, parse, ct) =>
        {
            var workload = await new AdminService.AdminServiceClient(ctx.CreateInvoker())
                .DeregisterWorkloadAsync(new DeregisterWorkloadRequest { Id = parse.GetRequiredValue(id), Reason = parse.GetRequiredValue(reason) }, cancellationToken: ct);
            Printer.One(ctx, workload, WorkloadsCommand.Headers, WorkloadsCommand.Row);
            return ExitCodes.Ok;
        });
        return command;
    }
}
