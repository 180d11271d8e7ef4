using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Audit;

/// <summary><c>audit verify</c>: recomputes the hash chain; exit 1 when it is broken.</summary>
public static class AuditVerifyCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("verify", """
            Verify the audit hash chain (exit 1 when broken)

            Examples:
              brokerctl audit verify
            """);
        CommandAction.Set(command, env, (ctx, _, ct) =>
            RunAsync(new AuditService.AuditServiceClient(ctx.CreateInvoker()), ctx.Out, ctx.Error, ctx.Format, ct));
        return command;
    }

    public static async Task<int> RunAsync(
        AuditService.AuditServiceClient client, TextWriter stdout, TextWriter stderr, OutputFormat format, CancellationToken cancellationToken)
    {
        var result = await client.VerifyAuditChainAsync(new VerifyAuditChainRequest(), cancellationToken: cancellationToken);
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(stdout, result);
        }
        else if (result.Ok)
        {
            stdout.WriteLine($"ok: {result.VerifiedCount} sealed event(s) verified, {result.UnsealedCount} not yet sealed");
        }

        if (result.Ok)
        {
            return ExitCodes.Ok;
        }

        stderr.WriteLine($"error: audit chain broken at seq {result.FirstBrokenSeq} (event {result.FirstBrokenEventId}): {result.Problem}");
        return ExitCodes.Error;
    }
}
