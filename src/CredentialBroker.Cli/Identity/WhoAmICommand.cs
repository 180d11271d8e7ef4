using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Identity;

/// <summary><c>whoami</c>: the caller's role and identity as the broker sees them.</summary>
public static class WhoAmICommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("whoami", """
            Show the role and identity the broker takes the caller to be

            Examples:
              brokerctl whoami
              brokerctl whoami -o json
              BROKER_TOKEN=cbt_... brokerctl whoami --addr https://broker:5443 --ca-cert ca.pem
            """);
        CommandAction.Set(command, env, async (ctx, _, ct) =>
        {
            var client = new IdentityService.IdentityServiceClient(ctx.CreateInvoker());
            var response = await client.WhoAmIAsync(new WhoAmIRequest(), cancellationToken: ct);
            Printer.One(ctx, response, ["ROLE", "ACTOR", "OWNER", "WORKLOAD"], r => [Display.Role(r.Role), r.Actor, r.OwnerId, r.WorkloadId]);
            return ExitCodes.Ok;
        });
        return command;
    }
}
