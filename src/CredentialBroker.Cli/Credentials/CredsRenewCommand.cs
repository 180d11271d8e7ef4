using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace CredentialBroker.Cli.Credentials;

/// <summary><c>creds renew ID [--ttl]</c> or <c>creds renew --all-expiring-within SPAN [--ttl]</c>: extends expiry.</summary>
public static class CredsRenewCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string?>("id") { Description = "Credential id (omit with --all-expiring-within)", Arity = ArgumentArity.ZeroOrOne };
        var ttl = new Option<TimeSpan?>("--ttl") { Description = "New lifetime from now (90s, 15m, 24h, 7d); default: the purpose's", CustomParser = DurationParser.ParseArgument };
        var allExpiring = new Option<TimeSpan?>("--all-expiring-within")
        {
            Description = "Renew every active credential of the caller (owner or workload token) that expires within this span",
            CustomParser = DurationParser.ParseArgument,
        };
        var command = new Command("renew", """
            Extend a credential's expiry, or that of every credential of the caller expiring soon

            Examples:
              brokerctl creds renew 7f1c2a9e-... --ttl 30m
              brokerctl creds renew --all-expiring-within 24h
              brokerctl creds renew --all-expiring-within 2h --ttl 1h
            """)
        {
            id, ttl, allExpiring,
        };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
        {
            var credentialId = parse.GetValue(id);
            var window = parse.GetValue(allExpiring);
            var lifetime = parse.GetValue(ttl) is { } value ? Duration.FromTimeSpan(value) : null;
            if (window is null == string.IsNullOrEmpty(credentialId))
            {
                throw new UsageException("give either a credential id or --all-expiring-within, not both or neither");
            }

            var client = new CredentialService.CredentialServiceClient(ctx.CreateInvoker());
            if (window is { } span)
            {
                return RenewExpiringAsync(ctx, new IdentityService.IdentityServiceClient(ctx.CreateInvoker()), client, span, lifetime, ct);
            }

            var request = new RenewCredentialRequest { Id = credentialId, Ttl = lifetime };
            return RunAsync(client, request, ctx.Out, ctx.Format, ctx.Environment.Time, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(
        CredentialService.CredentialServiceClient client, RenewCredentialRequest request, TextWriter stdout, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var response = await client.RenewCredentialAsync(request, cancellationToken: cancellationToken);
        if (format == OutputFormat.Json)
        {
            ProtoJson.Write(stdout, response.Credential);
        }
        else
        {
            stdout.WriteLine($"Renewed {response.Credential.Prefix} ({response.Credential.Id}): expires {Display.When(response.Credential.ExpiresAt, time)}");
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// Renews each active credential of the caller expiring within <paramref name="window"/>: one line per credential and a
    /// summary (JSON: the renewed credentials; failures on stderr). Exit 1 when any renewal failed.
    /// </summary>
    public static async Task<int> RenewExpiringAsync(
        CliContext ctx,
        IdentityService.IdentityServiceClient identity,
        CredentialService.CredentialServiceClient client,
        TimeSpan window,
        Duration? ttl,
        CancellationToken cancellationToken)
    {
        var caller = await identity.WhoAmIAsync(new WhoAmIRequest(), cancellationToken: cancellationToken);
        var request = new ListCredentialsRequest { Status = CredentialStatus.Active, PageSize = 500 };
        switch (caller.Role)
        {
            case Role.Workload when !string.IsNullOrEmpty(caller.WorkloadId):
                request.WorkloadId = caller.WorkloadId;
                break;
            case Role.Owner when !string.IsNullOrEmpty(caller.OwnerId):
                request.OwnerId = caller.OwnerId;
                break;
            default:
                throw new UsageException($"--all-expiring-within renews the caller's own credentials and needs an owner or workload token (this one is {Display.Role(caller.Role)})");
        }

        var time = ctx.Environment.Time;
        var due = CredsListCommand.ExpiringWithin(await CredsListCommand.ReadAllAsync(client, request, cancellationToken), window, time);
        var renewed = new List<Credential>();
        var failed = 0;
        foreach (var credential in due)
        {
            try
            {
                var response = await client.RenewCredentialAsync(new RenewCredentialRequest { Id = credential.Id, Ttl = ttl }, cancellationToken: cancellationToken);
                renewed.Add(response.Credential);
                if (ctx.Format == OutputFormat.Table)
                {
                    ctx.Out.WriteLine($"renewed {response.Credential.Prefix} ({response.Credential.Id}): expires {Display.When(response.Credential.ExpiresAt, time)}");
                }
            }
            catch (RpcException exception) when (exception.StatusCode is not (StatusCode.Unavailable or StatusCode.Cancelled or StatusCode.DeadlineExceeded))
            {
                failed++;
                var line = $"failed  {credential.Prefix} ({credential.Id}): {exception.StatusCode}: {exception.Status.Detail}";
                (ctx.Format == OutputFormat.Table ? ctx.Out : ctx.Error).WriteLine(line);
            }
        }

        if (ctx.Format == OutputFormat.Json)
        {
            ProtoJson.WriteArray(ctx.Out, renewed);
        }
        else
        {
            ctx.Out.WriteLine($"{renewed.Count} renewed, {failed} failed of {due.Count} credential(s) expiring within {Display.Span(window)}");
        }

        return failed > 0 ? ExitCodes.Error : ExitCodes.Ok;
    }
}
