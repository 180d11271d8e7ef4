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
        var status = new Option<string?>("--status") { Description = "Only credentials in this status: active, expired or revoked" };
        status.AcceptOnlyFromAmong("active", "expired", "revoked");
        var owner = new Option<string?>("--owner") { Description = "Only credentials of this owner id" };
        var pageSize = new Option<int>("--page-size") { Description = "Credentials per request (1-500)", DefaultValueFactory = _ => 100 };
        pageSize.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value is < 1 or > 500)
            {
                r.AddError("--page-size must be between 1 and 500");
            }
        });

        var command = new Command("list", "List credentials (follows every page)") { purpose, status, owner, pageSize };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
        {
            var request = new ListCredentialsRequest
            {
                PurposeId = parse.GetValue(purpose) ?? string.Empty,
                OwnerId = parse.GetValue(owner) ?? string.Empty,
                Status = ParseStatus(parse.GetValue(status)),
                PageSize = parse.GetValue(pageSize),
            };
            return RunAsync(new CredentialService.CredentialServiceClient(ctx.CreateInvoker()), request, ctx.Out, ctx.Format, ctx.Environment.Time, ct);
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
        CancellationToken cancellationToken)
    {
        var all = new List<Credential>();
        do
        {
            var page = await client.ListCredentialsAsync(request, cancellationToken: cancellationToken);
            all.AddRange(page.Credentials);
            request.PageToken = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(request.PageToken));

        CredentialPrinter.WriteList(stdout, all, format, time);
        return ExitCodes.Ok;
    }

    private static CredentialStatus ParseStatus(string? status) => status switch
    {
        "active" => CredentialStatus.Active,
        "expired" => CredentialStatus.Expired,
        "revoked" => CredentialStatus.Revoked,
        _ => CredentialStatus.Unspecified,
    };
}
