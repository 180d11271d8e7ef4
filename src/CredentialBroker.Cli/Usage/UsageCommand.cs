using System.CommandLine;
using CredentialBroker.Cli.Admin;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Usage;

/// <summary><c>usage</c>: metered gateway use of one credential, purpose or owner, by model, with its budgets.</summary>
public static class UsageCommand
{
    public static Command Create(CliEnvironment env)
    {
        var credential = new Option<string?>("--credential") { Description = "Usage of this credential id" };
        var purpose = new Option<string?>("--purpose") { Description = "Usage of all credentials of this purpose id" };
        var owner = new Option<string?>("--owner") { Description = "Usage of all credentials of this owner id" };
        var window = new Option<string?>("--window") { Description = "Report the current day, month or lifetime (default month; not with --since)" };
        window.AcceptOnlyFromAmong("day", "month", "lifetime");
        var since = new Option<DateTimeOffset?>("--since")
        {
            Description = "Start of the range: RFC 3339 time, date (UTC) or span ago (24h, 7d)",
            CustomParser = result => TimeParser.ParseArgument(result, env.Time),
        };
        var until = new Option<DateTimeOffset?>("--until")
        {
            Description = "End of the range (exclusive; default now): RFC 3339 time, date (UTC) or span ago",
            CustomParser = result => TimeParser.ParseArgument(result, env.Time),
        };
        var descendants = new Option<bool>("--include-descendants") { Description = "With --credential: add every credential delegated from it (children, grandchildren, ...)" };
        var command = new Command("usage", """
            Show gateway usage and budgets of a credential, purpose or owner

            Without --since the range is the current window (--window, default month) up to now.

            Examples:
              brokerctl usage --purpose 9a2f...
              brokerctl usage --credential 7f1c... --window day
              brokerctl usage --credential 7f1c... --include-descendants --window lifetime
              brokerctl usage --owner 3b0e... --since 7d
              brokerctl usage --owner 3b0e... --since 2026-01-01 --until 2026-02-01 -o json
            """)
        {
            credential, purpose, owner, window, since, until, descendants,
        };
        CommandAction.Set(command, env, async (ctx, parse, ct) =>
        {
            var request = BuildRequest(parse.GetValue(credential), parse.GetValue(purpose), parse.GetValue(owner), parse.GetValue(window), parse.GetValue(since), parse.GetValue(until));
            if (parse.GetValue(descendants))
            {
                request.IncludeDescendants = request.ScopeCase == GetUsageRequest.ScopeOneofCase.CredentialId
                    ? true
                    : throw new UsageException("--include-descendants applies to --credential only");
            }

            var response = await new UsageService.UsageServiceClient(ctx.CreateInvoker()).GetUsageAsync(request, cancellationToken: ct);
            UsagePrinter.Write(ctx.Out, request, response, ctx.Format);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The request for exactly one scope; a usage error for none, several, or a range that cannot be.</summary>
    public static GetUsageRequest BuildRequest(string? credentialId, string? purposeId, string? ownerId, string? window, DateTimeOffset? since, DateTimeOffset? until)
    {
        var scopes = new[] { credentialId, purposeId, ownerId }.Count(s => s is not null);
        if (scopes != 1)
        {
            throw new UsageException(scopes == 0
                ? "give one of --credential, --purpose, --owner"
                : "give only one of --credential, --purpose, --owner");
        }

        if (window is not null && since is not null)
        {
            throw new UsageException("--window and --since cannot be combined (--window reports the current day, month or lifetime)");
        }

        if (since is { } start && until is { } end && start >= end)
        {
            throw new UsageException("--since must be before --until");
        }

        var request = new GetUsageRequest
        {
            Window = window is null ? BudgetWindow.Unspecified : BudgetFile.ParseWindow(window, "--window"),
            StartTime = since is { } s ? Timestamp.FromDateTimeOffset(s) : null,
            EndTime = until is { } u ? Timestamp.FromDateTimeOffset(u) : null,
        };
        if (credentialId is not null)
        {
            request.CredentialId = credentialId;
        }
        else if (purposeId is not null)
        {
            request.PurposeId = purposeId;
        }
        else
        {
            request.OwnerId = ownerId!;
        }

        return request;
    }
}
