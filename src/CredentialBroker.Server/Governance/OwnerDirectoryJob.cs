using CredentialBroker.Server.Admin;
using CredentialBroker.Server.Audit;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;
using Microsoft.Extensions.Options;
using Quartz;

namespace CredentialBroker.Server.Governance;

/// <summary>
/// Quartz job (clustered) that syncs owners from <see cref="GovernanceOptions.DirectoryFile"/>. A
/// missing, unreadable or malformed file changes nothing: it is logged as an error and audited
/// (<c>owner.directory_rejected</c>).
/// </summary>
[DisallowConcurrentExecution]
internal sealed class OwnerDirectoryJob(IServiceScopeFactory scopes, AuditLog audit, IOptions<BrokerOptions> options, ILogger<OwnerDirectoryJob> logger) : IJob
{
    public const string Name = "sync-owner-directory";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await RunAsync(cancellationToken);

    /// <summary>Syncs the configured file once; null when no file is configured or it was rejected.</summary>
    public async Task<OwnerDirectoryPlan?> RunAsync(CancellationToken cancellationToken)
    {
        var governance = options.Value.Governance;
        if (string.IsNullOrWhiteSpace(governance.DirectoryFile))
        {
            return null;
        }

        var path = governance.DirectoryFile;
        var directory = await ReadAsync(path, governance.DirectoryFormat, cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        if (directory.Errors.Count > 0)
        {
            GovernanceLog.DirectoryRejected(logger, path, directory.ErrorText);
            var db = scope.ServiceProvider.GetRequiredService<BrokerDbContext>();
            audit.RecordSystem(db, OwnerDirectorySync.Job, new AuditEntry("owner.directory_rejected", "owner_directory", Path.GetFileName(path),
                "The owner directory file was rejected whole; nothing changed: " + directory.ErrorText));
            await db.SaveChangesAsync(cancellationToken);
            audit.Committed();
            return null;
        }

        var sync = scope.ServiceProvider.GetRequiredService<OwnerDirectorySync>();
        return await sync.SyncAsync(directory.Entries, dryRun: false, OffboardingActor.System(OwnerDirectorySync.Job), cancellationToken);
    }

    private static async Task<OwnerDirectory> ReadAsync(string path, DirectoryFormat format, CancellationToken cancellationToken)
    {
        if (format == DirectoryFormat.Auto)
        {
            format = Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".csv" => DirectoryFormat.Csv,
                ".json" => DirectoryFormat.Json,
                _ => DirectoryFormat.Auto,
            };
        }

        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > OwnerDirectoryParser.MaxBytes)
            {
                return new OwnerDirectory([], [("file", $"is larger than {OwnerDirectoryParser.MaxBytes / (1024 * 1024)} MiB")]);
            }

            return OwnerDirectoryParser.Parse(await File.ReadAllTextAsync(path, cancellationToken), format);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new OwnerDirectory([], [("file", $"cannot be read: {ex.Message}")]);
        }
    }
}
