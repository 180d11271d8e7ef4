using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;
using CredentialBroker.V1;

namespace CredentialBroker.Cli.Admin;

/// <summary><c>owners sync --file F [--dry-run]</c>: imports owners from a directory export and prints the plan.</summary>
public static class OwnersSyncCommand
{
    /// <summary>Largest file sent (the broker refuses larger ones).</summary>
    private const long MaxBytes = 4 * 1024 * 1024;

    public static Command Create(CliEnvironment env)
    {
        var file = new Option<string>("--file", "-f") { Description = "Directory export: CSV (header name,email[,external_id]) or JSON array of {name, email, external_id}", Required = true };
        var format = new Option<string?>("--format") { Description = "csv or json (default: by extension, else by content)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan without changing anything" };
        var command = new Command("sync", """
            Sync owners from an HR/SCIM directory export (offboarding)

            Listed owners are created or updated and become directory-managed. A directory-managed owner missing
            from the file is marked missing, and deactivated (its credentials revoked) once the broker's
            Broker:Governance:OffboardingGrace has passed. Owners created by hand are never deactivated by a sync.
            A malformed file is rejected whole and changes nothing.

            Examples:
              brokerctl owners sync --file owners.csv --dry-run
              brokerctl owners sync --file owners.json
            """)
        {
            file, format, dryRun,
        };
        CommandAction.Set(command, env, async (ctx, parse, ct) =>
        {
            var path = parse.GetRequiredValue(file);
            var request = new SyncOwnerDirectoryRequest
            {
                Content = Read(path),
                Format = parse.GetValue(format) ?? Path.GetExtension(path).ToLowerInvariant() switch { ".csv" => "csv", ".json" => "json", _ => string.Empty },
                DryRun = parse.GetValue(dryRun),
            };
            var plan = await new AdminService.AdminServiceClient(ctx.CreateInvoker()).SyncOwnerDirectoryAsync(request, cancellationToken: ct);
            Write(ctx, plan);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Read(string path)
    {
        try
        {
            return new FileInfo(path).Length > MaxBytes
                ? throw new UsageException($"{path} is larger than {MaxBytes / (1024 * 1024)} MiB")
                : File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
    }

    private static void Write(CliContext ctx, SyncOwnerDirectoryResponse plan)
    {
        if (ctx.Format == OutputFormat.Json)
        {
            ProtoJson.Write(ctx.Out, plan);
            return;
        }

        ctx.Out.WriteLine(plan.DryRun
            ? $"Plan for {plan.Listed} listed owners (dry run: nothing changed)"
            : $"Synced {plan.Listed} listed owners");
        var rows = new (string, IReadOnlyCollection<string>)[]
        {
            ("created", plan.Created),
            ("updated", plan.Updated),
            ("reappeared", plan.Reappeared),
            ("missing", plan.Missing),
            (plan.DryRun ? "to-deactivate" : "deactivated", plan.Deactivated),
        };
        foreach (var (label, names) in rows)
        {
            ctx.Out.WriteLine($"  {(label + ":"),-15}{names.Count,4}  {string.Join(", ", names)}".TrimEnd());
        }
    }
}
