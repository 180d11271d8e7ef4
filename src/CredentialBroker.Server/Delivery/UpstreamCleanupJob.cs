using Quartz;

namespace CredentialBroker.Server.Delivery;

/// <summary>Quartz job (clustered) running <see cref="UpstreamKeyCleaner"/>.</summary>
[DisallowConcurrentExecution]
internal sealed class UpstreamCleanupJob(UpstreamKeyCleaner cleaner) : IJob
{
    public const string Name = "upstream-key-cleanup";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await cleaner.CleanAsync(cancellationToken);
}
