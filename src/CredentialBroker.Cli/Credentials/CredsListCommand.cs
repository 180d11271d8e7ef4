using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Credentials;

/// <summary><c>creds list</c>: every credential the caller may see, all pages.</summary>
public static class CredsListCommand
{
    public static Command Create(CliEnvironment env)
    {
        var purpose = new Option<string?>("--purpose") { Description = "Only credentials of this purpose id" };
        var status = new Option<string?>("--status") { Description = "Only credentials in this status: active, suspended, expired or revoked" };
        status.AcceptOnlyFromAmong("active", "suspended", "expired", "revoked");
        var owner = new Option<string?>("--owner") { Description = "Only credentials of this owner id" };
        var provider = new Option<string?>("--provider") { Description = "Only credentials scoped to this provider (name)" };
        var expiringWithin = new Option<TimeSpan?>("--expiring-within")
        {
            Description = "Only active credentials that expire within this span from now (90s, 15m, 24h, 7d)",
            CustomParser = DurationParser.ParseArgument,
        };
        var irrevocable = new Option<bool>("--irrevocable") { Description = "Only direct credentials whose upstream key could not be deleted after every retry (it may still work upstream)" };
        var pageSize = new Option<int>("--page-size") { Description = "Credentials per request (1-500)", DefaultValueFactory = _ => 100 };
        pageSize.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value is < 1 or > 500)
            {
                r.AddError("--page-size must be between 1 and 500");
            }
        });

        var command = new Command("list", """
            List credentials (follows every page)

            Examples:
              brokerctl creds list
              brokerctl creds list --status active --provider openai-prod
              brokerctl creds list --expiring-within 24h -o json
              brokerctl creds list --irrevocable
            """)
        {
            purpose, status, owner, provider, expiringWithin, irrevocable, pageSize,
        };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
        {
            var request = new ListCredentialsRequest
            {
                PurposeId = parse.GetValue(purpose) ?? string.Empty,
                OwnerId = parse.GetValue(owner) ?? string.Empty,
                Status = ParseStatus(parse.GetValue(status)),
                PageSize = parse.GetValue(pageSize),
                Provider = parse.GetValue(provider) ?? string.Empty,
                Irrevocable = parse.GetValue(irrevocable),
            };
            return RunAsync(new CredentialService.CredentialServiceClient(ctx.CreateInvoker()), request, ctx.Out, ctx.Format, ctx.Environment.Time, ct, parse.GetValue(expiringWithin));
        });
        return command;
    }

    /// <summary>Lists every page of <paramref name="request"/> and prints the result.</summary>
    public static async Task<int> RunAsync(
        CredentialService.CredentialServiceClient client,
        ListCredentialsRequest request,
        TextWriter stdout,
        OutputFormat format,
        TimeProvider time,
        CancellationToken cancellationToken,
        TimeSpan? expiringWithin = null)
    {
        var all = await ReadAllAsync(client, request, cancellationToken);
        if (expiringWithin is { } window)
        {
            all = ExpiringWithin(all, window, time);
        }

        CredentialPrinter.WriteList(stdout, all, format, time);
        return ExitCodes.Ok;
    }

    /// <summary>Every page of <paramref name="request"/>.</summary>
    public static async Task<List<Credential>> ReadAllAsync(
        CredentialService.CredentialServiceClient client, ListCredentialsRequest request, CancellationToken cancellationToken)
    {
        var all = new List<Credential>();
        do
        {
            var page = await client.ListCredentialsAsync(request, cancellationToken: cancellationToken);
            all.AddRange(page.Credentials);
            request.PageToken = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(request.PageToken));

        return all;
    }

    /// <summary>Active credentials whose expiry is after now and at most <paramref name="window"/> from now.</summary>
    public static List<Credential> ExpiringWithin(IEnumerable<Credential> credentials, TimeSpan window, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return credentials
            .Where(c => c.Status == CredentialStatus.Active && c.ExpiresAt is not null)
            .Where(c => c.ExpiresAt.ToDateTimeOffset() is var at && at > now && at <= now + window)
            .ToList();
    }

    private static CredentialStatus ParseStatus(string? status) => status switch
    {
        "active" => CredentialStatus.Active,
        "expired" => CredentialStatus.Expired,
        "revoked" => CredentialStatus.Revoked,
        "suspended" => CredentialStatus.Suspended,
        _ => CredentialStatus.Unspecified,
    };
}
