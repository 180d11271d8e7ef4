using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>tokens create</c>: creates a broker access token and prints it once.</summary>
public static class TokensCommand
{
    public static Command Create(CliEnvironment env)
    {
        var role = new Option<string>("--role") { Description = "workload, owner, security or admin", Required = true };
        role.AcceptOnlyFromAmong("workload", "owner", "security", "admin");
        var owner = new Option<string?>("--owner") { Description = "Owner id (required for role owner)" };
        var workload = new Option<string?>("--workload") { Description = "Workload id (required for role workload)" };
        var ttl = new Option<TimeSpan?>("--ttl") { Description = "Lifetime (90s, 15m, 24h, 7d); default 24h", CustomParser = DurationParser.ParseArgument };
        var description = new Option<string?>("--description") { Description = "What the token is for" };
        var create = new Command("create", "Create an access token (printed once)") { role, owner, workload, ttl, description };
        CommandAction.Set(create, env, async (ctx, parse, ct) =>
        {
            var request = new CreateAccessTokenRequest
            {
                Role = parse.GetRequiredValue(role) switch
                {
                    "workload" => Role.Workload,
                    "owner" => Role.Owner,
                    "security" => Role.Security,
                    _ => Role.Admin,
                },
                OwnerId = parse.GetValue(owner) ?? string.Empty,
                WorkloadId = parse.GetValue(workload) ?? string.Empty,
                Description = parse.GetValue(description) ?? string.Empty,
            };
            if (parse.GetValue(ttl) is { } value)
            {
                request.Ttl = Duration.FromTimeSpan(value);
            }

            var response = await new AdminService.AdminServiceClient(ctx.CreateInvoker()).CreateAccessTokenAsync(request, cancellationToken: ct);
            if (ctx.Format == OutputFormat.Json)
            {
                ProtoJson.Write(ctx.Out, response);
            }
            else
            {
                ctx.Out.WriteLine(response.Token);
                ctx.Error.WriteLine($"token {response.Id} ({Display.Role(response.Role)}) expires {Display.Absolute(response.ExpiresAt)}; it is shown only this once");
            }

            return ExitCodes.Ok;
        });

        return new Command("tokens", """
            Manage broker access tokens

            Examples:
              brokerctl tokens create --role security --ttl 7d --description "on-call"
              brokerctl tokens create --role owner --owner 3b0e... --ttl 24h
            """) { create };
    }
}
