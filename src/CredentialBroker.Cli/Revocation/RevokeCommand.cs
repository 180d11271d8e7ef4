using System.CommandLine;
using System.Globalization;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;

namespace CredentialBroker.Cli.Revocation;

/// <summary>
/// <c>revoke</c>: mass revocation by selector. Counts first (dry run), confirms unless --yes, revokes,
/// then follows background marking until it completes.
/// </summary>
public static class RevokeCommand
{
    public static Command Create(CliEnvironment env)
    {
        var owner = new Option<string?>("--owner") { Description = "Credentials of this owner id" };
        var purpose = new Option<string?>("--purpose") { Description = "Credentials of this purpose id" };
        var provider = new Option<string?>("--provider") { Description = "Credentials scoped to this provider name" };
        var workload = new Option<string?>("--workload") { Description = "Credentials requested by this workload id" };
        var issuedBefore = new Option<DateTimeOffset?>("--issued-before") { Description = "Credentials issued before this time (ISO 8601)" };
        var labels = new Option<string[]>("--label") { Description = "Credentials carrying this label (k=v, repeatable)", AllowMultipleArgumentsPerToken = false };
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the audit log)", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only count the matching credentials" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };

        var command = new Command("revoke", """
            Revoke every active credential matching a selector

            Examples:
              brokerctl revoke --provider openai-prod --reason "root key rotated" --dry-run
              brokerctl revoke --owner 3b0e... --label env=staging --reason "incident 42" --yes
            """)
        {
            owner, purpose, provider, workload, issuedBefore, labels, reason, dryRun, yes,
        };
        CommandAction.Set(command, env, (ctx, parse, ct) =>
        {
            var selector = new Selector
            {
                OwnerId = parse.GetValue(owner) ?? string.Empty,
                PurposeId = parse.GetValue(purpose) ?? string.Empty,
                Provider = parse.GetValue(provider) ?? string.Empty,
                WorkloadId = parse.GetValue(workload) ?? string.Empty,
            };
            if (parse.GetValue(issuedBefore) is { } before)
            {
                selector.IssuedBefore = Timestamp.FromDateTimeOffset(before);
            }

            foreach (var label in parse.GetValue(labels) ?? [])
            {
                var eq = label.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new UsageException($"invalid --label '{label}' (expected key=value)");
                }

                selector.Labels[label[..eq]] = label[(eq + 1)..];
            }

            if (selector.Equals(new Selector()))
            {
                throw new UsageException("give at least one of --owner, --purpose, --provider, --workload, --issued-before, --label");
            }

            var options = new RevokeOptions(parse.GetRequiredValue(reason), parse.GetValue(dryRun), parse.GetValue(yes));
            return RunAsync(new RevocationService.RevocationServiceClient(ctx.CreateInvoker()), selector, options, ctx, ct);
        });
        return command;
    }

    /// <summary>Counts, confirms, revokes and follows marking.</summary>
    public static async Task<int> RunAsync(
        RevocationService.RevocationServiceClient client, Selector selector, RevokeOptions options, CliContext ctx, CancellationToken cancellationToken)
    {
        var env = ctx.Environment;
        var count = await client.RevokeMatchingAsync(
            new RevokeMatchingRequest { Selector = selector, Reason = options.Reason, DryRun = true }, cancellationToken: cancellationToken);
        if (options.DryRun)
        {
            if (ctx.Format == OutputFormat.Json)
            {
                ProtoJson.Write(ctx.Out, count);
            }
            else
            {
                ctx.Out.WriteLine($"{count.MatchedCount} credential(s) match; nothing revoked (dry run)");
            }

            return ExitCodes.Ok;
        }

        if (count.MatchedCount == 0)
        {
            ctx.Error.WriteLine("no active credentials match; nothing revoked");
            if (ctx.Format == OutputFormat.Json)
            {
                ProtoJson.Write(ctx.Out, count);
            }

            return ExitCodes.Ok;
        }

        ctx.Error.WriteLine($"{count.MatchedCount} credential(s) match");
        if (!options.Yes)
        {
            if (!env.IsInteractive)
            {
                throw new UsageException("confirmation needed but stdin is not a terminal: pass --yes to revoke without asking");
            }

            ctx.Error.Write($"Revoke {count.MatchedCount} credentials? [y/N] ");
            ctx.Error.Flush();
            var answer = (await env.Input.ReadLineAsync(cancellationToken))?.Trim();
            if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
            {
                ctx.Error.WriteLine("aborted; nothing revoked");
                return ExitCodes.Error;
            }
        }

        var revoked = await client.RevokeMatchingAsync(
            new RevokeMatchingRequest { Selector = selector, Reason = options.Reason }, cancellationToken: cancellationToken);
        if (ctx.Format == OutputFormat.Table)
        {
            ctx.Out.WriteLine($"Revoked {revoked.MatchedCount} credential(s); revocation {revoked.RevocationId}");
        }

        var revocation = await WaitForMarkingAsync(client, revoked.RevocationId, env, ctx.Error, cancellationToken);
        if (ctx.Format == OutputFormat.Json)
        {
            ProtoJson.Write(ctx.Out, revocation);
        }
        else if (revocation.MarkingCompletedAt is not null)
        {
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Marking completed at {Display.Absolute(revocation.MarkingCompletedAt)}: {revocation.MarkedCount}/{revocation.MatchedCount} marked"));
        }

        if (revocation.MarkingCompletedAt is null)
        {
            throw new OperationFailedException(
                $"revocation {revocation.Id} is in effect but marking has not finished after {Display.Span(env.RevocationWaitLimit)} ({revocation.MarkedCount}/{revocation.MatchedCount}); check with the audit log later");
        }

        return ExitCodes.Ok;
    }

    private static async Task<V1.Revocation> WaitForMarkingAsync(
        RevocationService.RevocationServiceClient client, string id, CliEnvironment env, TextWriter progress, CancellationToken cancellationToken)
    {
        var deadline = env.Time.GetUtcNow() + env.RevocationWaitLimit;
        while (true)
        {
            var revocation = await client.GetRevocationAsync(new GetRevocationRequest { Id = id }, cancellationToken: cancellationToken);
            progress.WriteLine($"marking: {revocation.MarkedCount}/{revocation.MatchedCount}{(revocation.MarkingCompletedAt is null ? string.Empty : " done")}");
            if (revocation.MarkingCompletedAt is not null || env.Time.GetUtcNow() >= deadline)
            {
                return revocation;
            }

            await Task.Delay(env.RevocationPollInterval, cancellationToken);
        }
    }
}

/// <summary>Settings of one <c>revoke</c> run.</summary>
public sealed record RevokeOptions(string Reason, bool DryRun, bool Yes);
