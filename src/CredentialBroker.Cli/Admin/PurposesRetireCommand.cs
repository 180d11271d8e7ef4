using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>purposes retire ID --reason R</c>: retires a purpose and revokes its credentials.</summary>
public static class PurposesRetireCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "Purpose id" };
        var reason = new Option<string>("--reason") { Description = "Why (audit log and the revoked credentials)", Required = true };
        var command = new Command("retire", """
            Retire a purpose: no new credentials, renewals or grants for it, and its credentials are revoked at once

            Retiring an already retired purpose changes nothing.

            Example:
              brokerctl purposes retire 3b0e... --reason "support pilot ended"
            """)
        {
            id, reason,
        };
        CommandAction.Set(command, env, async (ctx, parse, ct) =>
        {
            var purpose = await new AdminService.AdminServiceClient(ctx.CreateInvoker())
                .RetirePurposeAsync(new RetirePurposeRequest { Id = parse.GetRequiredValue(id), Reason = parse.GetRequiredValue(reason) }, cancellationToken: ct);
            Printer.One(ctx, purpose, PurposePrinter.Headers, PurposePrinter.Row);
            return ExitCodes.Ok;
        });
        return command;
    }
}
